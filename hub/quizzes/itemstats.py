"""Item analysis as Moodle's quiz statistics report computes it. Pure functions.

- Facility index: the mean score on the question, in percent of its marks (how easy).
- Standard deviation of the question scores, in percent.
- Discrimination index: the correlation (Pearson, ×100) between the score on this
  question and the score on the rest of the quiz; high values mean learners who do well
  overall do well here. Undefined with fewer than two attempts or no spread."""
from __future__ import annotations

import math


def facility(fractions: list[float]) -> float | None:
    if not fractions:
        return None
    return 100.0 * sum(fractions) / len(fractions)


def standard_deviation(fractions: list[float]) -> float | None:
    n = len(fractions)
    if n < 2:
        return None
    mean = sum(fractions) / n
    return 100.0 * math.sqrt(sum((f - mean) ** 2 for f in fractions) / (n - 1))


def correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def discrimination(question_marks: list[float], attempt_marks: list[float]) -> float | None:
    """``question_marks[i]`` and ``attempt_marks[i]`` (total) belong to the same attempt."""
    rest = [total - mark for mark, total in zip(question_marks, attempt_marks, strict=False)]
    r = correlation(question_marks, rest)
    return None if r is None else 100.0 * r
