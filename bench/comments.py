"""How well the suggested codes agree with hand coding, and how fast coding is.

    python bench/comments.py            # precision and recall per code on tests/comments/handcoded.csv,
                                        # then time to code 10,000 comments (target < 5 s) and to find themes

The hand-coded fixture was written for the tests by reading each comment, not from the code's output.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from impact.comments import codebook, coding, themes  # noqa: E402
from impact.demo_comments import ACTIONS, BARRIERS, PERSONAL, PRAISE, SUGGESTIONS  # noqa: E402


def main() -> None:
    hand = pd.read_csv(ROOT / "tests" / "comments" / "handcoded.csv", keep_default_na=False)
    found = coding.suggest(hand, codebook.DEFAULT)
    table = coding.precision_recall(hand, found, codebook.DEFAULT)
    print(f"hand-coded comments: {len(hand)}")
    print(table.to_string(index=False))
    tp = table["true positives"].sum()
    print(f"all codes: precision {tp / table['suggested'].sum():.2f}, recall {tp / table['hand coded'].sum():.2f}")
    tone = float((found["tone"] == hand["tone"]).mean())
    print(f"tone agrees with the hand coding on {tone:.0%} of comments; "
          f"Cohen's kappa {coding.cohen_kappa(hand['tone'], found['tone']):.2f}")

    texts = [t for v in PRAISE.values() for t in v] + list(BARRIERS + SUGGESTIONS + ACTIONS + PERSONAL)
    rng = np.random.default_rng(0)
    n = 10_000
    many = pd.DataFrame({"text": rng.choice(np.array(texts, dtype=object), n),
                         "question": rng.choice(np.array(list(coding.QUESTIONS)), n)})
    times = []
    for _ in range(3):
        began = time.perf_counter()
        coded = coding.suggest(many, codebook.DEFAULT)
        times.append(time.perf_counter() - began)
    print(f"suggest codes and tone for {n:,} comments: median {sorted(times)[1]:.2f} s (target < 5 s)")
    began = time.perf_counter()
    found_themes = themes.propose(coded, codebook.DEFAULT)
    print(f"themes for {n:,} comments: {time.perf_counter() - began:.2f} s, {len(found_themes.themes)} themes")


if __name__ == "__main__":
    main()
