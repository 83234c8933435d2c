"""Throughput of the detectors for government IDs, bank accounts, birth dates and IM
handles (issue 21), alone and next to the built-in set.

Two corpora of about 1 MB each, cut into SMS- to note-sized messages (every one
different, so no cache helps more than in production):

- *no labels*: Chinese and English prose, log lines (time stamps, IPv4 addresses,
  versions, Message-IDs, tracking and order numbers, dates) and the built-in kinds
  (mobiles, cards) — no word any of the new detectors is anchored on. This is what most
  text looks like; the label pre-filter should make these detectors nearly free here.
- *labelled*: the same with roughly one message in three carrying a labelled value
  (``SSN``, ``护照号``, ``银行账号``, ``出生日期``, ``微信号`` ...).

Prints MB/s (UTF-8) of each detector's ``find`` and of ``Redactor.mask`` at the log level
with and without the new detectors.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from notifysdk.privacy import Detector, KnownValues, Redactor, default_detectors
from notifysdk.privacy.labels import _INDEX, label_beginnings
from notifysdk.privacy.text import fold

PLAIN = (
    "您好，您的借款已逾期{d}天，请尽快还款。",
    "如有疑问请联系客服，工作日9:00-18:00。",
    "订单号DD2024{o}已发货，预计{d}日送达。",
    "还款日 2026-03-{dd}，工单 {o} 已处理。",
    "客户表示下周一会处理，已记录。",
    "Your payment is {d} days overdue. ",
    "Order #{o} shipped on 2024-03-{dd}, tracking SF{o}{d:03d}. ",
    "Please contact us to agree a repayment plan. ",
    "2026-03-{dd}T10:{d:02d}:00Z GET /api/v2.10.{d} from 192.168.{d}.{dd} status 200\n",
    "Message-ID: <{o}.{d}@mail.example.com> queued as 1Z999AA1{o}\n",
    "电话 138{o} 已接通，卡 6222 0213 8001 3800。",
)
LABELLED = (
    "SSN 536-90-{o4}. ",
    "护照号码：E{o}。",
    "银行账号：1234 5678 9012 {o4}。",
    "出生日期 19{y}-03-{dd}，",
    "DOB: {dd}/03/19{y}. ",
    "微信号 zw_{o}，",
    "QQ：{o}。",
    "NI number AB {dd} 34 56 C. ",
    "IBAN DE89 3704 0044 0532 0130 00. ",
    "身份证 A123456(3)。",
)


def messages(n: int, labelled: bool, seed: int = 1) -> list[str]:
    """``n`` distinct messages; with ``labelled``, about a third carry a labelled value."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randrange(2, 6)):
            values = {
                "d": rng.randrange(1, 90),
                "o": rng.randrange(10**7, 10**8),
                "o4": rng.randrange(1000, 10**4),
                "dd": f"{rng.randrange(1, 29):02d}",
                "y": rng.randrange(50, 99),
            }
            parts.append(rng.choice(PLAIN).format(**values))
            if labelled and rng.random() < 0.12:
                parts.append(rng.choice(LABELLED).format(**values))
        out.append("".join(parts))
    return out


_NEW_MODULES = frozenset(
    f"notifysdk.privacy.{m}" for m in ("accounts", "birth_dates", "gov_ids", "im_handles")
)


def new_detectors() -> list[Detector]:
    """The issue-21 detectors, as registered among the built-ins (in their order)."""
    return [d for d in default_detectors() if type(d).__module__ in _NEW_MODULES]


def throughput(fn: Callable[[str], object], texts: list[str]) -> float:
    """MB/s (UTF-8) over ``texts``, best of three passes."""
    size = sum(len(t.encode("utf-8")) for t in texts)
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - start)
    return size / best / 1e6


def marginal(det: Detector, texts: list[str], known: KnownValues) -> float:
    """MB/s of one detector's ``find`` on text already folded, as inside a Redactor
    (where every detector shares one :func:`fold` of each text and one search for the
    labels' beginnings): texts are folded and scanned for labels in batches small enough
    for those caches, untimed, then searched, timed."""
    size = sum(len(t.encode("utf-8")) for t in texts)
    batch = 16
    best = float("inf")
    for _ in range(3):
        spent = 0.0
        for i in range(0, len(texts), batch):
            chunk = texts[i : i + batch]
            for t in chunk:
                label_beginnings(fold(t))
            start = time.process_time()
            for t in chunk:
                list(det.find(t, known))
            spent += time.process_time() - start
        best = min(best, spent)
    return size / best / 1e6


def report(texts: list[str], title: str, fresh: list[str]) -> None:
    """Print every figure for one corpus (``fresh``: same kind, other texts, for the
    redactor runs so that their caches start cold)."""
    known = KnownValues()
    size = sum(len(t.encode("utf-8")) for t in texts)
    print(f"\n{title}: {len(texts)} messages, {size / 1e6:.2f} MB")
    print(f"  {'fold (shared)':14}     : {throughput(fold.__wrapped__, texts):9.1f} MB/s")
    folded = [fold.__wrapped__(t) for t in texts]
    scan = throughput(_INDEX.scan, folded)
    print(f"  {'label scan (shared)':19}: {scan:9.1f} MB/s")
    for det in new_detectors():
        print(f"  {det.name:14} find: {marginal(det, texts, known):9.1f} MB/s")
    every = new_detectors()
    rate = throughput(lambda t: [list(d.find(t, known)) for d in every], texts)
    print(f"  {'all new':14} find: {rate:9.1f} MB/s (fold included)")
    base = Redactor([d for d in default_detectors() if type(d).__module__ not in _NEW_MODULES])
    wider = Redactor(default_detectors())
    before = throughput(lambda t: base.mask(t, "log", known), fresh)
    after = throughput(lambda t: wider.mask(t, "log", known), texts)
    print(f"  Redactor.mask(log): built-in {before:6.2f} MB/s, with the new ones {after:6.2f} MB/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    for labelled, title in ((False, "no labels"), (True, "labelled")):
        texts = messages(args.messages, labelled)
        report(texts, title, messages(args.messages, labelled, seed=2))


if __name__ == "__main__":
    main()
