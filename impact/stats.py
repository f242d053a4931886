"""Statistics the indicators share. Sources are named in each docstring."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

Z95 = 1.959963984540054  # standard normal quantile for a two-sided 95% interval


@dataclass(frozen=True)
class Proportion:
    """k of n, with its 95% Wilson interval and whether n reaches the display minimum."""

    k: int
    n: int
    rate: float | None
    low: float | None
    high: float | None
    reliable: bool

    def to_dict(self) -> dict:
        return asdict(self)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson (1927) score interval for a binomial proportion k/n; (None, None) when n = 0.

    centre = (p + z²/2n) / (1 + z²/n), half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
    """
    if n <= 0:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion(k: int, n: int, min_n: int = 10) -> Proportion:
    low, high = wilson(k, n)
    return Proportion(int(k), int(n), (k / n) if n else None, low, high, n >= min_n)
