"""Fewer garbage collections while a dry run plans a large portfolio.

A dry run streams rows and keeps counters only, yet every row allocates hundreds of
small objects (cells, models, notices) that die young: with the interpreter's default
thresholds a young collection runs every 700 allocations and walks the long-lived
objects of the start-up (the plugin registry, the models' schemas) over and over — about
a fifth of a dry run's CPU (bench/campaign_bench.py, issue 13). :func:`planning_gc`
freezes what is alive when the run starts (moved out of the collector's generations)
and lets young collections wait for 50,000 allocations; cyclic garbage is still
collected, later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["PLANNING_THRESHOLDS", "planning_gc"]

PLANNING_THRESHOLDS = (50_000, 50, 1000)
"""``gc.set_threshold`` while a dry run plans (generation 0, 1, 2)."""


@contextmanager
def planning_gc() -> Iterator[None]:
    """While inside: the objects alive now frozen, young collections every 50,000
    allocations. The thresholds are given back on exit, and the frozen objects too unless
    the program had frozen some itself (``gc.unfreeze`` would thaw those as well)."""
    saved = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(*PLANNING_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        if not frozen_before:  # the program froze nothing itself: thaw what we froze
            gc.unfreeze()
