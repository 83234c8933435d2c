"""Emails per second through the smtp-email channel, side by side with its peers.

One aiosmtpd server runs in a separate process on a free loopback port (TCP_NODELAY on
every connection; it counts what it accepted, and every figure is checked against that
count). The same rendered messages (zh-CN subject, text + HTML, ~1 KB) go through:

  bare/prebuilt   aiosmtplib, one reused connection, bytes built before timing (transport
                  ceiling)
  bare/build      aiosmtplib, one reused connection, EmailMessage built per message and
                  sent with send_message (the ceiling for the same work as the channel)
  channel pool=1  SMTPEmailChannel.send in a loop
  channel pool=N  SMTPEmailChannel.send, 4*N at a time
  dispatcher      notifysdk.Dispatcher -> smtp-email (FakeClock, MemoryLedger), beside
                  the same dispatcher -> an in-memory MockChannel (its own cost)
  apprise         Apprise's email plugin (smtplib, a connection per message), throttle
                  off (request_rate_per_sec = 0) and on (its default)

Run: ``.venv/bin/python bench/smtp_bench.py [--messages 1000] [--pool 4]``. Prints
every figure, then the ratios against the baselines measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import multiprocessing.sharedctypes
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

SUBJECT = "示例银行：您的贷款已逾期 10 天"
BODY = (
    "尊敬的张伟：\n\n您在示例银行的贷款（合同号 LN202600000001）已逾期 10 天。\n"
    "逾期金额：¥1,234.50\n罚息：¥12.30\n应还合计：¥1,246.80\n\n"
    "请尽快还款。如有困难，我们可以与您协商还款计划。\n\n示例银行\n"
    "如不希望再收到此类邮件，请使用退订链接。\n"
)
HTML = "".join(f"<p>{line}</p>" for line in BODY.splitlines() if line)
SENDER = "notices@lender.example"
SETTINGS: dict[str, Any] = {
    "host": "127.0.0.1",
    "tls": "none",
    "from_address": SENDER,
    "from_name": "Example Bank",
    "unsubscribe_mailto": "mailto:optout@lender.example?subject=unsubscribe%20{token}",
    "unsubscribe_url": "https://lender.example/unsubscribe?t={token}",
    "unsubscribe_secret": "bench-secret",
    "local_hostname": "bench.lender.example",
}


# -- the server (separate process) ----------------------------------------------------


def _serve(port_out: Any, accepted: Any) -> None:
    """aiosmtpd on a free loopback port; counts accepted messages in ``accepted``."""
    from aiosmtpd.smtp import SMTP

    class Counter:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            with accepted.get_lock():
                accepted.value += 1
            return "250 2.0.0 Ok"

    handler = Counter()

    def factory() -> SMTP:
        smtp = SMTP(handler, hostname="bench-server", enable_SMTPUTF8=True)
        made = smtp.connection_made

        def connection_made(transport: Any) -> None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            made(transport)

        smtp.connection_made = connection_made  # type: ignore[method-assign]
        return smtp

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
        port_out.send(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


# -- the messages ---------------------------------------------------------------------


def _messages(n: int, prefix: str) -> list[Any]:
    from notifysdk.models import Medium, Message

    return [
        Message(
            idempotency_key=f"nk_{prefix}_{i}",
            channel="smtp-email",
            medium=Medium.EMAIL,
            to=f"b{i}@example.com",
            locale="zh-CN",
            subject=SUBJECT,
            body=BODY,
            html=HTML,
        )
        for i in range(n)
    ]


def _stdlib_email(i: int, prefix: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Example Bank <{SENDER}>"
    mail["To"] = f"b{i}@example.com"
    mail["Subject"] = SUBJECT
    mail["Message-ID"] = f"<{prefix}.{i}@lender.example>"
    mail.set_content(BODY)
    mail.add_alternative(HTML, subtype="html")
    return mail


# -- the phases -----------------------------------------------------------------------


async def bare_prebuilt(port: int, n: int) -> int:
    """aiosmtplib, one connection, bytes built beforehand."""
    import aiosmtplib

    payloads = [bytes(_stdlib_email(i, "pre")) for i in range(n)]
    client = aiosmtplib.SMTP(
        hostname="127.0.0.1", port=port, start_tls=False, local_hostname="bench.lender.example"
    )
    await client.connect()
    t = time.perf_counter()
    for i, payload in enumerate(payloads):
        await client.sendmail(SENDER, [f"b{i}@example.com"], payload)
    elapsed = time.perf_counter() - t
    await client.quit()
    return _rate(n, elapsed)


async def bare_build(port: int, n: int) -> int:
    """aiosmtplib, one connection, an EmailMessage built per message."""
    import aiosmtplib

    client = aiosmtplib.SMTP(
        hostname="127.0.0.1", port=port, start_tls=False, local_hostname="bench.lender.example"
    )
    await client.connect()
    t = time.perf_counter()
    for i in range(n):
        await client.send_message(_stdlib_email(i, "build"))
    elapsed = time.perf_counter() - t
    await client.quit()
    return _rate(n, elapsed)


async def channel_run(port: int, n: int, pool: int, concurrency: int) -> int:
    """SMTPEmailChannel.send, ``concurrency`` at a time (1 = a plain loop)."""
    from notifysdk_smtp import SMTPEmailChannel, SMTPSettings

    channel = SMTPEmailChannel(
        SMTPSettings.resolve({**SETTINGS, "port": port, "pool_size": pool}, {})
    )
    messages = _messages(n, f"ch{pool}")
    await channel.send(_messages(1, f"warm{pool}")[0])  # connect outside the timing
    t = time.perf_counter()
    if concurrency == 1:
        for m in messages:
            await channel.send(m)
    else:
        sem = asyncio.Semaphore(concurrency)

        async def one(m: Any) -> None:
            async with sem:
                await channel.send(m)

        await asyncio.gather(*(one(m) for m in messages))
    elapsed = time.perf_counter() - t
    await channel.aclose()
    return _rate(n, elapsed)


async def dispatcher_run(port: int, n: int, pool: int, mock: bool) -> int:
    """notifysdk.Dispatcher.send_many over ``n`` notices to smtp-email (or a mock)."""
    from notifysdk.channels import Disclosure
    from notifysdk.clock import FakeClock
    from notifysdk.config import Settings
    from notifysdk.dispatcher import Dispatcher
    from notifysdk.ledger.memory import MemoryLedger
    from notifysdk.models import Medium
    from notifysdk.testing import MockChannel, sample_account, sample_notice

    name = "mock-email" if mock else "smtp-email"
    channels = (
        {
            name: MockChannel(
                name=name, medium=Medium.EMAIL, disclosure=Disclosure.FULL, contact_kind="email"
            )
        }
        if mock
        else None
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            output_dir=Path(tmp),
            channels={"smtp-email": {**SETTINGS, "port": port, "pool_size": pool}},
        )
        async with Dispatcher(
            settings, clock=FakeClock(), ledger=MemoryLedger(), channels=channels
        ) as d:
            tag = "m" if mock else "s"
            warm = sample_notice(10**6, channel=name, stage=f"warm-{tag}")
            await d.send(warm)
            notices = [
                sample_notice(
                    i,
                    channel=name,
                    stage=f"bench-{tag}",
                    account=sample_account(i, email=f"b{i}@example.com"),
                )
                for i in range(1, n + 1)
            ]
            t = time.perf_counter()
            outcomes = await d.send_many(notices, concurrency=4 * pool)
            elapsed = time.perf_counter() - t
    bad = [o for o in outcomes if not o.ok]
    if bad:
        raise SystemExit(f"dispatcher bench: {len(bad)} not delivered, e.g. {bad[0].reason}")
    return _rate(n, elapsed)


def apprise_run(port: int, n: int, throttle: bool) -> int:
    """Apprise's email plugin, sending the same subject and HTML body ``n`` times."""
    import apprise

    a = apprise.Apprise()
    a.add(
        f"mailto://127.0.0.1:{port}?from={SENDER}&to=b0@example.com&mode=insecure"
        "&name=Example%20Bank"
    )
    if not throttle:
        a[0].request_rate_per_sec = 0
    t = time.perf_counter()
    for _ in range(n):
        if not a.notify(title=SUBJECT, body=HTML, body_format=apprise.NotifyFormat.HTML):
            raise SystemExit("apprise failed to send")
    return _rate(n, time.perf_counter() - t)


def _rate(n: int, seconds: float) -> int:
    return round(n / seconds) if seconds > 0 else 0


# -- main -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--dispatcher-messages", type=int, default=200)
    parser.add_argument("--apprise-messages", type=int, default=30)
    parser.add_argument("--apprise-throttled", type=int, default=3)
    parser.add_argument("--pool", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median shown)")
    args = parser.parse_args()
    os.environ.setdefault("NOTIFYSDK_LOAD_PLUGINS", "smtp")

    ctx = multiprocessing.get_context("spawn")
    accepted = ctx.Value("l", 0)
    recv, send = ctx.Pipe(duplex=False)
    server = ctx.Process(target=_serve, args=(send, accepted), daemon=True)
    server.start()
    port = recv.recv()
    print(
        f"aiosmtpd (separate process, pid {server.pid}) on 127.0.0.1:{port}; "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )

    n, p, dn, an = args.messages, args.pool, args.dispatcher_messages, args.apprise_messages
    phases: list[tuple[str, int, Callable[[], Awaitable[int] | int]]] = [
        ("bare aiosmtplib, prebuilt bytes", n, lambda: bare_prebuilt(port, n)),
        ("bare aiosmtplib, build+send", n, lambda: bare_build(port, n)),
        ("channel, pool=1, sequential", n, lambda: channel_run(port, n, 1, 1)),
        (f"channel, pool={p}, {4 * p} in flight", n, lambda: channel_run(port, n, p, 4 * p)),
        ("dispatcher -> mock channel", 0, lambda: dispatcher_run(port, dn, p, True)),
        (f"dispatcher -> smtp-email pool={p}", dn, lambda: dispatcher_run(port, dn, p, False)),
        ("apprise, throttle off", an, lambda: apprise_run(port, an, False)),
    ]
    # Rounds run every phase once, so a change in machine load hits all phases alike.
    runs: dict[str, list[int]] = {label: [] for label, _, _ in phases}
    for _ in range(args.repeat):
        for label, count, fn in phases:
            before = accepted.value
            out = fn()
            rate = asyncio.run(out) if asyncio.iscoroutine(out) else out
            got = accepted.value - before
            if got < count:
                raise SystemExit(f"{label}: the server accepted {got} of {count}")
            runs[label].append(int(rate))  # type: ignore[call-overload]
    results = {label: int(statistics.median(r)) for label, r in runs.items()}
    counts = {label: count or dn for label, count, _ in phases}
    for label, rates in runs.items():
        print(f"  {label:<34} {results[label]:>7} emails/s   runs: {rates}  ({counts[label]} each)")
    print(f"  (apprise with its default throttle: {args.apprise_throttled} messages, one run)")
    before = accepted.value
    t = time.perf_counter()
    apprise_run(port, args.apprise_throttled, True)
    throttled = args.apprise_throttled / (time.perf_counter() - t)
    assert accepted.value - before == args.apprise_throttled
    print(f"  {'apprise, throttle on (default)':<34} {throttled:>7.2f} emails/s")

    server.terminate()
    server.join()

    bare = results["bare aiosmtplib, build+send"]
    seq = results["channel, pool=1, sequential"]
    pooled = results[f"channel, pool={p}, {4 * p} in flight"]
    off = results["apprise, throttle off"]
    disp = results[f"dispatcher -> smtp-email pool={p}"]
    mock = results["dispatcher -> mock channel"]
    print("\nratios (same run):")
    print(f"  bare build+send / channel pool=1      {bare / seq:6.2f}x  (target <= 1.5x)")
    print(f"  bare build+send / channel pool={p}      {bare / pooled:6.2f}x  (target <= 1.5x)")
    print(
        f"  bare prebuilt  / channel pool={p}       "
        f"{results['bare aiosmtplib, prebuilt bytes'] / pooled:6.2f}x"
    )
    print(f"  channel pool={p} / apprise throttle off {pooled / off:6.1f}x  (target >= 3x)")
    print(f"  channel pool={p} / apprise throttle on  {pooled / throttled:6.0f}x")
    print(
        f"  dispatcher->smtp / dispatcher->mock   {disp / mock:6.2f}  "
        "(share of the dispatcher's own rate kept when the channel is real SMTP)"
    )


if __name__ == "__main__":
    main()
