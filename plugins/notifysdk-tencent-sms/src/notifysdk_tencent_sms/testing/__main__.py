"""``python -m notifysdk_tencent_sms.testing --config settings.toml [--port 8092]``: serve
the loopback Tencent Cloud SMS server for a ``make run``-style demo, with the keys, sign name
and approved templates of the ``[notifysdk.channels.tencent-sms]`` section (point the
section's ``endpoint`` at ``127.0.0.1:PORT`` and ``protocol`` at ``http``). Prints the
endpoint, then serves until interrupted; accepted messages are kept in memory only."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tomllib
from pathlib import Path

from .server import FakeTencentSms


async def _serve(section: dict[str, object], port: int) -> None:
    templates = section.get("templates") or {}
    assert isinstance(templates, dict)
    texts = {
        spec["code"]: spec["text"]
        for by_locale in templates.values()
        for spec in by_locale.values()
    }
    server = FakeTencentSms(
        secret_id=str(section["secret_id"]),
        secret_key=str(section["secret_key"]),
        sms_sdk_app_id=str(section["sms_sdk_app_id"]),
        templates=texts,
        sign_names=(str(section["sign_name"]),),
    )
    print(await server.start(port=port), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--channel", default="tencent-sms")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    data = tomllib.loads(args.config.read_text(encoding="utf-8"))
    section = data.get("notifysdk", data).get("channels", {})[args.channel]
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(section, args.port))


main()
