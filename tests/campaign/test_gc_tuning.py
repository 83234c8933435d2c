"""A dry run plans with fewer garbage collections (notifysdk.campaign.gc_tuning) and gives
the interpreter's settings back afterwards, whatever ended it."""

from __future__ import annotations

import gc

import pytest

from notifysdk.campaign.gc_tuning import PLANNING_THRESHOLDS, planning_gc


def test_the_thresholds_and_the_frozen_objects_are_given_back() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with planning_gc():
        assert gc.get_threshold() == PLANNING_THRESHOLDS
        assert gc.get_freeze_count() > frozen  # what was alive is out of the generations
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_an_error_inside_gives_them_back_too() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), planning_gc():
        raise RuntimeError("the run stopped")
    assert gc.get_threshold() == before


def test_cyclic_garbage_made_inside_is_still_collected() -> None:
    class Node:
        other: object = None

    with planning_gc():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2
