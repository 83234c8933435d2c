"""Fuzz tests (hypothesis) over every reader of outside input: the models, the portfolio
readers, the settings and ladder loaders, the templates; and the redactor, which reads
every notice and every log record.

Each asserts that any input either loads or raises the SDK's own typed error
(:class:`~notifysdk.errors.NotifyError`), within the example's deadline, and that no value
of the input appears in the error text. ``max_examples`` is set per test so that the
whole folder runs in well under two minutes on two cores.

Helpers shared by the portfolio and model fuzz tests live in ``fuzz_support.py`` (this
folder is put on ``sys.path`` for it, as the root conftest does for ``tests/ledger``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
