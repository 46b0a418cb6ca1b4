"""The ranking rule: means per indicator, weighted total, labels by thresholds."""
from __future__ import annotations

import pytest

from hub.practices.ranking import DEFAULT_WEIGHTS, Thresholds, label_for, profile

ALL_TWO = {key: 2 for key in DEFAULT_WEIGHTS}


def test_nobody_scored_means_no_total_and_no_label():
    result = profile([], DEFAULT_WEIGHTS)
    assert result.percent is None and result.label is None and not result.scored and result.reviewers == 0


def test_weighted_total_counts_evidence_double():
    # results and evaluation (weight 2) at 3, everything else at 0
    reviews = [{key: (3 if key in ("results", "evaluation") else 0) for key in DEFAULT_WEIGHTS}]
    result = profile(reviews, DEFAULT_WEIGHTS)
    # achieved 2*3 + 2*3 = 12 of possible 3 * (10 * 1 + 2 * 2) = 42
    assert result.percent == round(100 * 12 / 42)


def test_means_over_reviewers_and_partial_reviews():
    reviews = [{"relevance": 3, "results": 1}, {"relevance": 1}]
    result = profile(reviews, DEFAULT_WEIGHTS)
    assert result.means == {"relevance": 2.0, "results": 1.0}
    assert result.reviewers == 2
    # only scored indicators count: (1*2 + 2*1) of (1*3 + 2*3)
    assert result.percent == round(100 * 4 / 9)


@pytest.mark.parametrize("percent, evidence, label", [
    (59.9, 3, "promising"),
    (60.0, 0, "good"),
    (85.0, 1.5, "good"),  # high total, weak evidence: not "best"
    (80.0, 2, "best"),
])
def test_labels(percent, evidence, label):
    assert label_for(percent, {"results": evidence, "evaluation": evidence}, Thresholds()) == label


def test_thresholds_are_configurable():
    result = profile([ALL_TWO], DEFAULT_WEIGHTS, Thresholds(good=50, best=65, evidence_minimum=2))
    assert result.percent == 67 and result.label == "best"
    assert profile([ALL_TWO], DEFAULT_WEIGHTS).label == "good"


def test_weights_change_the_total_and_zero_weight_drops_an_indicator():
    reviews = [{"relevance": 3, "innovation": 0}]
    assert profile(reviews, {"relevance": 1, "innovation": 1}).percent == 50.0
    assert profile(reviews, {"relevance": 1, "innovation": 0}).percent == 100.0
    assert profile(reviews, {"relevance": 3, "innovation": 1}).percent == 75.0


def test_unknown_indicators_are_ignored():
    assert profile([{"relevance": 3, "made_up": 0}], {"relevance": 1}).percent == 100.0


@pytest.mark.parametrize("bad", [4, -1, 1.5, "2", True])
def test_scores_outside_0_to_3_are_refused(bad):
    with pytest.raises(ValueError, match="relevance"):
        profile([{"relevance": bad}], DEFAULT_WEIGHTS)
