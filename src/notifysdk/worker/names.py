"""The names the planner and the workers share: the send task's, and the Redis list
each run's reports go to."""

from __future__ import annotations

__all__ = ["SEND_TASK", "reports_key"]

SEND_TASK = "notifysdk.send"
"""The name of the task that sends a batch of jobs."""


def reports_key(run_id: str) -> str:
    """The Redis list a run's workers push their reports onto."""
    return f"notifysdk:run:{run_id}:reports"
