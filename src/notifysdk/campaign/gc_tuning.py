"""Fewer garbage collections while a dry run plans a large portfolio.

A dry run streams rows and keeps counters only, yet every row allocates hundreds of
small objects (cells, models, notices) that die young: with the interpreter's default
thresholds a young collection runs every 700 allocations and walks the long-lived
objects of the start-up (the plugin registry, the models' schemas) over and over — about
a fifth of a dry run's CPU (bench/campaign_bench.py, issue 13). :func:`planning_gc`
freezes what is alive when the run starts (moved out of the collector's generations)
and lets young collections wait for 50,000 allocations; cyclic garbage is still
collected, later. The CLI's dry run plans inside it, and so does each worker process
of ``--workers N``: processes notifysdk owns. :class:`~notifysdk.campaign.runner.CampaignRunner`
itself does not, since the collector is the embedding program's to tune. Blocks may nest
or overlap, and the settings come back when the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["PLANNING_THRESHOLDS", "planning_gc"]

PLANNING_THRESHOLDS = (50_000, 50, 1000)
"""``gc.set_threshold`` while a dry run plans (generation 0, 1, 2)."""


_lock = threading.Lock()
_depth = 0
"""How many ``planning_gc`` blocks are open (runs may overlap: two dry runs on one event
loop, the CLI's block around the runner's own)."""
_saved: tuple[int, int, int] = gc.get_threshold()
_thaw = False


@contextmanager
def planning_gc() -> Iterator[None]:
    """While inside: the objects alive when the first of overlapping blocks began
    frozen, young collections every 50,000 allocations. When the last of them exits,
    the thresholds are given back, and the frozen objects too unless the program had
    frozen some itself before the first block (``gc.unfreeze`` would thaw those too)."""
    global _depth, _saved, _thaw
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            _thaw = not gc.get_freeze_count()
            gc.freeze()
            gc.set_threshold(*PLANNING_THRESHOLDS)
        # An inner block changes nothing: freezing again would freeze the garbage
        # cycles of the rows before it (a worker's earlier chunks) for good.
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
                if _thaw:  # the program froze nothing itself: thaw what we froze
                    gc.unfreeze()
