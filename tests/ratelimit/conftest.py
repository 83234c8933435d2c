"""Shared pieces of the rate-limit tests: the worker module (also run as a process)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

WORKER_PATH = Path(__file__).with_name("worker.py")


def load_worker() -> ModuleType:
    """tests/ratelimit/worker.py as a module (its notices, sections and constants)."""
    spec = importlib.util.spec_from_file_location("ratelimit_worker", WORKER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def worker() -> ModuleType:
    """The worker module."""
    return load_worker()
