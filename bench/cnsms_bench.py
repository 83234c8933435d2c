"""SMS/s through notifysdk-aliyun-sms and notifysdk-tencent-sms vs. the bare official SDKs.

Each provider's loopback server (the plugins' ``testing`` fakes, which verify every
request's signature: ACS3-HMAC-SHA256 / TC3-HMAC-SHA256; TCP_NODELAY) runs in its own
process, started by this script (``--serve aliyun|tencent``), so the client's cost is
what is measured. Senders, in this one run, per provider:

- ``bare``: the official SDK alone, the same request every time (sign name, template
  code, parameters built once): ``send_sms_with_options_async`` / ``SendSms`` on the
  async clients, configured as the channel configures them (retries off; Tencent's
  keep-alive on; Aliyun's client opens a session per request either way);
- ``channel``: ``AliyunSmsChannel.send`` / ``TencentSmsChannel.send`` on a rendered
  message: template lookup, sign split, the approved-template match and check,
  parameter bounds, segment count, the SDK call, error mapping, the receipt.

Requests interleave (bare, channel, bare, ...) so load drifting on a shared machine hits
both alike; SMS/s is 1 / mean latency and the ratio channel / bare is printed (target:
the channel within 1.2x of bare's latency, i.e. a ratio of SMS/s >= 0.83).

Run: ``.venv/bin/python bench/cnsms_bench.py [-n 300]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

SIGN = "Example Bank"
TAIL = "请尽快还款或联系我们协商还款计划。回复TD退订"
BODY = "【Example Bank】张**您好，您的借款已逾期10天，应还¥1,246.80。" + TAIL
ALIYUN_TEXT = "${name}您好，您的借款已逾期${days}天，应还${amount}。" + TAIL
TENCENT_TEXT = "{1}您好，您的借款已逾期{2}天，应还{3}。" + TAIL
AK, AK_SECRET = "LTAI5tBenchKey01", "bench-secret-not-a-secret-000000"
SID, SKEY, APP = "AKIDBench0123456789", "bench-key-not-a-secret-0000000000", "1400000001"
Send = Callable[[int], Awaitable[Any]]


async def serve(provider: str) -> None:
    """Run one fake server until stdin closes; print its endpoint first."""
    if provider == "aliyun":
        from notifysdk_aliyun_sms.testing import FakeAliyunSms

        server: Any = FakeAliyunSms(
            access_key_id=AK,
            access_key_secret=AK_SECRET,
            templates={"SMS_0001": ALIYUN_TEXT},
            sign_names=(SIGN,),
        )
    else:
        from notifysdk_tencent_sms.testing import FakeTencentSms

        server = FakeTencentSms(
            secret_id=SID,
            secret_key=SKEY,
            sms_sdk_app_id=APP,
            templates={"100001": TENCENT_TEXT},
            sign_names=(SIGN,),
        )
    print(await server.start(), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await server.stop()


def start_server(provider: str) -> tuple[subprocess.Popen[str], str]:
    """The fake in a child process and its ``127.0.0.1:PORT``."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", provider],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def message(i: int) -> Any:
    from notifysdk.plugin import Medium, Message

    return Message(
        idempotency_key=f"bench-{i}",
        channel="sms",
        medium=Medium.SMS,
        to="+8613800138000",
        locale="zh-CN",
        body=BODY,
        metadata={"kind": "overdue_notice"},
    )


async def aliyun_senders(endpoint: str) -> tuple[Send, Send, Callable[[], Awaitable[None]]]:
    import json

    from alibabacloud_dysmsapi20170525 import models

    from notifysdk.plugin import SystemClock
    from notifysdk_aliyun_sms.channel import AliyunSmsChannel
    from notifysdk_aliyun_sms.settings import AliyunSmsSettings

    settings = AliyunSmsSettings.load(
        {
            "access_key_id": AK,
            "access_key_secret": AK_SECRET,
            "sign_name": SIGN,
            "endpoint": endpoint,
            "protocol": "http",
            "templates": {"overdue_notice": {"zh-CN": {"code": "SMS_0001", "text": ALIYUN_TEXT}}},
        },
        name="aliyun-sms",
    )
    channel = AliyunSmsChannel("aliyun-sms", settings, SystemClock())
    bare_channel = AliyunSmsChannel("bare", settings, SystemClock())  # only its client
    client, runtime = bare_channel.client, bare_channel.runtime
    params = json.dumps({"name": "张**", "days": "10", "amount": "¥1,246.80"}, ensure_ascii=False)

    async def bare(i: int) -> Any:
        req = models.SendSmsRequest(
            phone_numbers="13800138000",
            sign_name=SIGN,
            template_code="SMS_0001",
            template_param=params,
            out_id=f"{i:032d}",
        )
        resp = await client.send_sms_with_options_async(req, runtime)
        assert resp.body.code == "OK"
        return resp

    async def chan(i: int) -> Any:
        return await channel.send(message(i))

    async def close() -> None:
        await channel.aclose()

    return bare, chan, close


async def tencent_senders(endpoint: str) -> tuple[Send, Send, Callable[[], Awaitable[None]]]:
    from tencentcloud.sms.v20210111 import models

    from notifysdk.plugin import SystemClock
    from notifysdk_tencent_sms.channel import TencentSmsChannel, build_client
    from notifysdk_tencent_sms.settings import TencentSmsSettings

    settings = TencentSmsSettings.load(
        {
            "secret_id": SID,
            "secret_key": SKEY,
            "sms_sdk_app_id": APP,
            "sign_name": SIGN,
            "endpoint": endpoint,
            "protocol": "http",
            "templates": {"overdue_notice": {"zh-CN": {"code": "100001", "text": TENCENT_TEXT}}},
        },
        name="tencent-sms",
    )
    channel = TencentSmsChannel("tencent-sms", settings, SystemClock())
    client = build_client(settings)

    async def bare(i: int) -> Any:
        req = models.SendSmsRequest()
        req.PhoneNumberSet = ["+8613800138000"]
        req.SmsSdkAppId = APP
        req.TemplateId = "100001"
        req.SignName = SIGN
        req.TemplateParamSet = ["张**", "10", "¥1,246.80"]
        req.SessionContext = f"nsdk:{i:032d}"
        resp = await client.SendSms(req)
        assert resp.SendStatusSet[0].Code == "Ok"
        return resp

    async def chan(i: int) -> Any:
        return await channel.send(message(i))

    async def close() -> None:
        await channel.aclose()
        await client.close()

    return bare, chan, close


async def measure(provider: str, endpoint: str, n: int) -> dict[str, float]:
    make = aliyun_senders if provider == "aliyun" else tencent_senders
    bare, chan, close = await make(endpoint)
    for i in range(20):  # warm-up: imports, connections, caches
        await bare(i)
        await chan(i)
    lat: dict[str, list[float]] = {"bare": [], "channel": []}
    for i in range(n):
        for name, fn in (
            (("bare", bare), ("channel", chan)) if i % 2 else (("channel", chan), ("bare", bare))
        ):
            t = time.perf_counter()
            await fn(1000 + i)
            lat[name].append(time.perf_counter() - t)
    await close()
    return {k: 1 / statistics.fmean(v) for k, v in lat.items()} | {
        f"{k}_median_ms": statistics.median(v) * 1000 for k, v in lat.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="requests per sender and provider")
    parser.add_argument("--serve", choices=["aliyun", "tencent"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
        return
    print(f"cnsms bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, n={args.n} per sender")
    for provider in ("aliyun", "tencent"):
        proc, endpoint = start_server(provider)
        try:
            r = asyncio.run(measure(provider, endpoint, args.n))
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(10)
        print(
            f"{provider:8s} bare {r['bare']:7.1f} SMS/s (median {r['bare_median_ms']:.2f} ms)  "
            f"channel {r['channel']:7.1f} SMS/s (median {r['channel_median_ms']:.2f} ms)  "
            f"ratio channel/bare {r['channel'] / r['bare']:.3f} "
            f"(by median {r['bare_median_ms'] / r['channel_median_ms']:.3f})"
        )


if __name__ == "__main__":
    main()
