"""python -m impact comments code|themes|quotes|codebook [scope flags] [--json]."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ACTIONS = ("code", "themes", "quotes", "codebook")


def add_parser(sub, common, scope_arguments) -> None:
    from impact.filters import DIMENSIONS

    p = sub.add_parser("comments", help="what people said: coded comments, counts, theme proposals, the quote bank")
    p.add_argument("action", choices=ACTIONS,
                   help="code: each comment's codes and tone, and counts per code; themes: themes the codebook "
                        "lacks; quotes: the quote bank; codebook: print it, or --out / --load a sheet")
    common(p)
    scope_arguments(p)
    p.add_argument("--by", choices=DIMENSIONS, help="code: counts per group of this dimension")
    p.add_argument("--limit", type=int, default=12, help="quotes: how many to propose (default 12); code: rows shown")
    p.add_argument("--themes", type=int, dest="k", help="themes: how many (default: about one per 40 comments)")
    p.add_argument("--out", metavar="FILE", help="codebook: write it as an .xlsx sheet to edit")
    p.add_argument("--load", metavar="FILE", help="codebook: replace it with an edited sheet (.xlsx, .ods, .csv)")
    p.add_argument("--who", default="", help="codebook --load: who is changing it")
    p.set_defaults(func=run)


def _dump(obj) -> None:
    print(json.dumps(obj, indent=1, default=str, ensure_ascii=False))


def run(args) -> int:
    from impact import comments
    from impact.cli import _scope
    from impact.comments import codebook as cb
    from impact.comments.themes import propose
    from impact.filters import prepare
    from impact.store import Store

    store = Store(args.db)
    cs = comments.CommentStore(store)
    if args.action == "codebook":
        if args.load:
            path = Path(args.load)
            codes, problems = cb.from_sheet(path.read_bytes(), path.name)
            if problems and args.json:
                _dump({"ok": False, "problems": [p.to_dict() for p in problems]})
            for p in problems:
                place = f"row {p.row}, " if p.row else ""
                print(f"{path.name}: {place}{p.column or ''} [{p.value}]: {p.message}. Fix: {p.fix}", file=sys.stderr)
            if problems or not codes:
                return 1
            cs.save_codebook(codes, args.who)
        codes = cs.codebook()
        if args.out:
            Path(args.out).write_bytes(cb.to_sheet(codes))
        if args.json:
            _dump({"ok": True, "codebook": [c.to_dict() for c in codes]})
        else:
            for c in codes:
                print(f"{c.code:<14} {c.label} ({c.kind}{', beside ' + c.outcome if c.outcome else ''}): "
                      f"{'; '.join(c.phrases[:8])}{' …' if len(c.phrases) > 8 else ''}")
            if args.out:
                print(f"written to {args.out}")
        return 0
    filters = _scope(args, store, "comments")
    if filters is None:
        return 2
    min_n, suppress_n = int(store.setting("min_n")), int(store.setting("suppress_n"))
    state = comments.load(store)
    data = prepare(store.frames())
    said = comments.what_people_said(data, state, filters, args.by if args.action == "code" else None, min_n,
                                     suppress_n, limit=args.limit)
    if args.action == "code":
        rows = said.comments[["comment_id", "programme", "question", "text", "codes", "tone", "source", "coder"]]
        if args.json:
            _dump({"filters": filters.to_dict(), "min_n": min_n, "comments": len(rows),
                   "confirmed": int((rows["source"] == "confirmed").sum()), "sentences": list(said.sentences),
                   "counts": said.counts.to_dict(), "coded": rows.to_dict("records")})
            return 0
        print(f"{len(rows):,} comments in scope, {int((rows['source'] == 'confirmed').sum()):,} confirmed by staff")
        for s in said.sentences:
            print(f"  {s}")
        table = said.counts.codes
        print(f"\n{'group':<30} {'code':<40} {'with code':>9} {'comments':>8} {'share':>14}  matching outcome")
        for _, r in table.iterrows():
            share = (f"{r['share %']:.0f}% ({r['low %']:.0f}–{r['high %']:.0f})" if r["share %"] == r["share %"]
                     and r["share %"] is not None else f"n<{min_n}")
            outcome = (f"{r['matching outcome']}: {r['outcome positive %']:.0f}% of {int(r['outcome n'])}"
                       if r["matching outcome"] and r["outcome positive %"] == r["outcome positive %"]
                       and r["outcome positive %"] is not None else "")
            print(f"{str(r['group'])[:30]:<30} {r['label'][:40]:<40} {r['comments with code']:>9,} "
                  f"{r['comments']:>8,} {share:>14}  {outcome}")
        print(f"\nfirst {min(args.limit, len(rows))} comments:")
        for _, r in rows.head(args.limit).iterrows():
            print(f"  [{r['tone']}] {r['codes'] or '(no code)'} ({r['source']}): {r['text']}")
        return 0
    if args.action == "themes":
        found = propose(said.comments, state.codebook, k=args.k)
        if args.json:
            _dump({"filters": filters.to_dict(), **found.to_dict()})
            return 0
        if found.note:
            print(found.note)
        for t in found.themes:
            status = "NEW: not in the codebook" if t.proposal else f"mostly {t.covered_by} ({t.covered_share:.0%})"
            print(f"theme {t.number}: {', '.join(t.words)} — {t.comments:,} comments, {status}")
            for e in t.examples:
                print(f"    “{e}”")
        return 0
    bank = said.quotes
    if args.json:
        _dump({"filters": filters.to_dict(), "suppress_n": suppress_n, **bank.to_dict()})
        return 0
    print(f"{bank.eligible:,} comments could be quoted; tone shares: "
          + ", ".join(f"{t} {s:.0%}" for t, s in bank.tone_shares.items()))
    for reason, n in bank.left_out.items():
        print(f"  left out: {n:,} ({reason})")
    for _, q in bank.quotes.iterrows():
        print(f"[{q['status']}] [{q['tone']}] “{q['quote']}” — {q['attribution']}  ({q['comment_id']}; {q['why']})")
    return 0
