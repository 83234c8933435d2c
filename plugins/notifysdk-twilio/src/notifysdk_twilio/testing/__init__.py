"""Test peers for the Twilio channels: a loopback Twilio-shaped server and a request
checker built from Twilio's published OpenAPI description.

Used by this plugin's tests and by ``bench/twilio_bench.py``; importable by anyone
testing code that sends through ``twilio-sms`` / ``twilio-voice``.
"""

from __future__ import annotations

from .openapi import OpenAPIChecker, expected_spec, find_spec, missing_spec_message
from .server import FakeTwilioServer, Fault, RecordedRequest, UncheckedServerError

__all__ = [
    "FakeTwilioServer",
    "Fault",
    "OpenAPIChecker",
    "RecordedRequest",
    "UncheckedServerError",
    "expected_spec",
    "find_spec",
    "missing_spec_message",
]
