"""Send one SMS through the example third-party plugin ``notifysdk-webhook``.

    pip install ./examples/webhook-channel-plugin     # once (uv pip install ... works too)
    python examples/send_via_webhook_plugin.py [--now 2026-01-05T02:00:00+00:00]

It starts a tiny JSON receiver on loopback, points the ``webhook`` channel at it through
``[notifysdk.channels.webhook]`` settings, sends one notice, and prints what the receiver
got. The plugin is found through its entry point, like any third-party plugin.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from _common import clock_from_args

from notifysdk import Settings, SyncDispatcher
from notifysdk.plugins import get_plugin_manager
from notifysdk.testing import sample_notice

received: list[dict[str, Any]] = []


class Receiver(BaseHTTPRequestHandler):
    """Accepts POSTed JSON and answers 202 with an id."""

    def do_POST(self) -> None:
        """Store the JSON body."""
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        received.append({"key": self.headers.get("Idempotency-Key"), **json.loads(body)})
        answer = json.dumps({"id": f"hook-{len(received)}"}).encode()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        """Quiet: no access log (it would carry phone numbers)."""


def main(argv: list[str] | None = None) -> int:
    """Start the receiver, send through the plugin, print the result."""
    clock = clock_from_args(__doc__.splitlines()[0], argv)
    if "webhook" not in get_plugin_manager().registry().channels:
        print("the webhook plugin is not installed: pip install ./examples/webhook-channel-plugin")
        return 2
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/notify"
    settings = Settings.load(
        channels={"webhook": {"url": url, "medium": "sms"}}, ledger_url="memory://"
    )
    try:
        with SyncDispatcher(settings, clock=clock) as dispatcher:
            outcome = dispatcher.send(sample_notice(channel="webhook"))
    finally:
        server.shutdown()
    print(
        f"outcome: {outcome.status.value}"
        + (f" (provider id {outcome.receipt.provider_id})" if outcome.receipt else "")
    )
    for item in received:
        print(
            f"receiver got {item['medium']} for key {item['key']}: {len(item['body'])} characters"
        )
    return 0 if outcome.status.value == "delivered" else 1


if __name__ == "__main__":
    sys.exit(main())
