"""Confidence intervals for accuracies: every accuracy the article prints carries n and a 95 % interval."""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def wilson(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for `correct` successes in `n` trials (Wilson, 1927).

    Chosen over the normal approximation because it stays inside [0, 1] and keeps its coverage
    near 0 and 1, where robust accuracies of regular models live.
    """
    if n <= 0 or not 0 <= correct <= n:
        raise ValueError(f"need 0 <= correct <= n and n > 0, got {correct} of {n}")
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(
    a_correct: int, a_n: int, b_correct: int, b_n: int, z: float = Z95
) -> tuple[float, float, float]:
    """(d, low, high): b's accuracy minus a's and its 95 % interval, built from the two Wilson
    intervals (Newcombe, 1998, method 10).

    Two accuracies can differ measurably while their own intervals overlap; this interval on the
    difference is what decides. It treats the samples as independent, so on the same images, where
    two models' answers are positively correlated, it is conservative (wider than a paired interval).
    """
    pa, pb = a_correct / a_n, b_correct / b_n
    (la, ua), (lb, ub) = wilson(a_correct, a_n, z), wilson(b_correct, b_n, z)
    d = pb - pa
    return d, d - math.hypot(pb - lb, ua - pa), d + math.hypot(ub - pb, pa - la)


def mean_interval(values: list[float], z: float = Z95) -> tuple[float, float, float, float]:
    """(mean, low, high, sd) of a sample: the normal 95 % interval mean +- z sd / sqrt(n), which the
    central limit theorem makes accurate for the bounded per-image scores averaged here (n >= 100)."""
    n = len(values)
    if n < 2:
        raise ValueError(f"need at least two values, got {n}")
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = z * sd / math.sqrt(n)
    return mean, mean - half, mean + half, sd
