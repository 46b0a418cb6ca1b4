"""Ranking practices by indicators: a pure function of reviewers' scores, weights and
thresholds, no Flask and no database, so it is unit-tested on its own.

Each reviewer scores each indicator 0-3. An indicator's value is the mean of its
reviewers' scores; the weighted total is the sum of weight × mean over the indicators
that have scores, as a percentage of the most they could give (weight × 3). Labels:
"best" from ``best`` % when both evidence indicators (results and evaluation) reach
``evidence_minimum`` on average, "good" from ``good`` %, otherwise "promising" (any
practice that was scored at all)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

MAX_SCORE = 3
EVIDENCE = ("results", "evaluation")

# key -> weight; the order is the order on the page (INWORK's and the list).
DEFAULT_WEIGHTS: dict[str, float] = {
    "relevance": 1, "results": 2, "evaluation": 2, "co_design": 1, "employer_involvement": 1,
    "cooperation": 1, "sustainability": 1, "transferability": 1, "innovation": 1,
    "cost_effectiveness": 1, "equality": 1, "integrated_support": 1,
}


@dataclass(frozen=True)
class Thresholds:
    good: float = 60.0  # percent
    best: float = 80.0  # percent
    evidence_minimum: float = 2.0  # mean score each evidence indicator needs for "best"


@dataclass
class Profile:
    """Where a practice stands: per-indicator means, the weighted total and its label."""

    means: dict[str, float] = field(default_factory=dict)  # indicator -> mean 0-3 (scored ones only)
    reviewers: int = 0
    percent: float | None = None  # whole percent; None: nobody scored it
    label: str | None = None  # promising | good | best

    @property
    def scored(self) -> bool:
        return self.percent is not None


def profile(reviews: Iterable[Mapping[str, int]], weights: Mapping[str, float],
            thresholds: Thresholds = Thresholds()) -> Profile:
    """``reviews``: one mapping indicator -> score (0-3) per reviewer; indicators a
    reviewer left out do not count for that reviewer. Unknown indicators and
    zero-weight ones are ignored. Raises ValueError for a score outside 0-3."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    reviewers = 0
    for review in reviews:
        counted = False
        for key, score in review.items():
            if key not in weights:
                continue
            if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_SCORE:
                raise ValueError(f"score for {key!r} must be a whole number from 0 to {MAX_SCORE}, got {score!r}")
            sums[key] = sums.get(key, 0) + score
            counts[key] = counts.get(key, 0) + 1
            counted = True
        reviewers += counted
    means = {key: sums[key] / counts[key] for key in weights if key in counts}
    possible = sum(weights[key] * MAX_SCORE for key in means if weights[key] > 0)
    if not possible:
        return Profile(means=means, reviewers=reviewers)
    achieved = sum(weights[key] * means[key] for key in means if weights[key] > 0)
    percent = float(round(100 * achieved / possible))  # whole percent: the label matches what readers see
    return Profile(means=means, reviewers=reviewers, percent=percent, label=label_for(percent, means, thresholds))


def label_for(percent: float, means: Mapping[str, float], thresholds: Thresholds) -> str:
    evidence_ok = all(means.get(key, 0) >= thresholds.evidence_minimum for key in EVIDENCE)
    if percent >= thresholds.best and evidence_ok:
        return "best"
    if percent >= thresholds.good:
        return "good"
    return "promising"
