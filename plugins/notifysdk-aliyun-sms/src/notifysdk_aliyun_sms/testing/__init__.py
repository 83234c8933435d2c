"""A loopback server that answers like Alibaba Cloud SMS (dysmsapi 2017-05-25), for
tests and the benchmark: :class:`FakeAliyunSms`."""

from __future__ import annotations

from .server import FakeAliyunSms, Fault, verify_acs3

__all__ = ["FakeAliyunSms", "Fault", "verify_acs3"]
