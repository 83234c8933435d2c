"""A loopback server that answers like Tencent Cloud SMS (API 2021-01-11), for tests and
the benchmark: :class:`FakeTencentSms`."""

from __future__ import annotations

from .server import FakeTencentSms, Fault, verify_tc3

__all__ = ["FakeTencentSms", "Fault", "verify_tc3"]
