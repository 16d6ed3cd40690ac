"""Wilson intervals, Newcombe's interval on a difference, and the Accuracy record, which cannot carry an
interval its counts do not give."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tour import schema
from tour.stats import newcombe, wilson


def test_wilson_matches_known_values_and_stays_in_the_unit_interval():
    low, high = wilson(45, 100)  # textbook value: 0.3561 .. 0.5476
    assert low == pytest.approx(0.3561, abs=1e-4) and high == pytest.approx(0.5476, abs=1e-4)
    assert wilson(0, 10)[0] == pytest.approx(0, abs=1e-12) and 0 < wilson(0, 10)[1] < 0.35
    assert wilson(10, 10)[1] == pytest.approx(1, abs=1e-12) and 0.65 < wilson(10, 10)[0] < 1
    assert wilson(900, 2000)[1] - wilson(900, 2000)[0] < wilson(45, 100)[1] - wilson(45, 100)[0]


def test_wilson_refuses_impossible_counts():
    for correct, n in ((1, 0), (-1, 5), (6, 5)):
        with pytest.raises(ValueError):
            wilson(correct, n)


def test_accuracy_record_is_checked_against_its_counts():
    a = schema.Accuracy.of(723, 1000)
    assert a.value == 0.723 and a.low < 0.723 < a.high
    schema.Accuracy.model_validate(a.model_dump())
    for field, value in (("value", 0.8), ("low", 0.5), ("high", 0.99)):
        with pytest.raises(ValidationError):
            schema.Accuracy.model_validate({**a.model_dump(), field: value})


def test_newcombe_matches_the_published_examples_and_flips_with_its_order():
    """Newcombe (1998), method 10: 56/70 - 48/80 is 0.2000 with 95 % interval 0.0524 to 0.3339, and
    0/10 - 0/20 is 0 with -0.1611 to 0.2775."""
    d, low, high = newcombe(48, 80, 56, 70)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)
    d, low, high = newcombe(0, 20, 0, 10)
    assert (d, round(low, 4), round(high, 4)) == (0, -0.1611, 0.2775)
    assert newcombe(0, 10, 0, 20) == (0, -high, -low)


def test_two_overlapping_intervals_can_still_differ():
    """The capacity study's case: 34.8 % and 38.5 % of 2,000 have overlapping Wilson intervals, but
    their difference's interval excludes zero."""
    assert wilson(696, 2000)[1] > wilson(769, 2000)[0]
    assert newcombe(696, 2000, 769, 2000)[1] > 0
