"""The application ``celery -A notifysdk.worker.app worker`` runs.

Its settings come from the file named by ``NOTIFYSDK_CONFIG`` (the ``[notifysdk]``
table for the dispatcher, the ``[worker]`` table for Celery) and the environment
(``NOTIFYSDK_BROKER_URL``, ``NOTIFYSDK_LEDGER_URL``, ``NOTIFYSDK_KEY_DIR``...). ``notifysdk
worker`` sets the variables from its options and runs the same application.
"""

from __future__ import annotations

import os

from .factory import create_app

app = create_app(os.environ.get("NOTIFYSDK_CONFIG") or None)
"""The fleet's Celery application (see :mod:`notifysdk.worker.factory`)."""
