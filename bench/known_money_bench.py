"""Throughput of the known-value and money detectors (issue 21) on about 1 MB of mixed
text, with a typical account's known values (a Chinese debtor with a phone and a
Chinese address, an English emergency contact with a UK address, four amounts).

Two corpora, cut into SMS- to note-sized messages, every one different (a random
number in each, so no cache helps more than it would in production):

- *10 %*: one message in ten carries the account's values in the forms the detectors
  now find (张 伟, 張偉, \\u5f20\\u4f1f, 3-2-202, 科技园路八十八号, 三千五百元, 3500块,
  $3.5k...); the rest is prose, log lines and money-free notes.
- *50 %*: one message in two does.

Prints MB/s (UTF-8) of each detector's ``find`` per message, of both together (they
share the normal form and the amount scan), over the whole corpus as one text, and of
``Redactor.mask`` at the log level with the built-in detectors.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from notifysdk.models import Account, Party, Person, PhoneContact, PostalAddress, Role
from notifysdk.privacy import KnownValues, Redactor, default_detectors
from notifysdk.privacy.known_match import KnownValuesDetector
from notifysdk.privacy.money import MoneyDetector, scan
from notifysdk.privacy.normalize import normalize
from notifysdk.privacy.text import fold

DEBTOR = Person(
    person_id="P1",
    name="张伟",
    contacts=(
        PhoneContact(value="+8613800138000"),
        PostalAddress(
            lines=("南山区科技园路88号3栋2单元202室",), city="深圳市", region="广东省", country="CN"
        ),
    ),
)
CONTACT = Person(
    person_id="P2",
    name="Alex Smith",
    locale="en",
    contacts=(
        PostalAddress(
            lines=("Flat 3, 12 Sample Road",), city="London", postal_code="SW1A 1AA", country="GB"
        ),
    ),
)
ACCOUNT = Account(
    account_id="A1",
    loan_id="LN202600000001",
    institution="Example Bank",
    currency="CNY",
    principal=Decimal("5000.00"),
    overdue_amount=Decimal("1234.50"),
    penalty_interest=Decimal("12.30"),
    due_date=date(2026, 1, 1),
    days_overdue=10,
    debtor=DEBTOR,
    parties=(Party(person=CONTACT, role=Role.EMERGENCY_CONTACT),),
)

PII = (
    "客户张伟来电，称本月{d}号前还款{a}元，已告知逾期{n}天的罚息。",
    "外访记录：到广东省深圳市南山区科技园路88号3栋2单元202室，家中无人，邻居说伟哥出差了（{n}）。",
    "催收员备注：借款人张 伟表示工资{a}块钱下周到账，共欠一万二千三百四十五元，工单{n}。",
    "Called Alex Smith at home ({n}), he promised to pay ${a} by Friday; left a voicemail.",
    "Visit {n}: Flat 3, 12 Sample Road, London SW1A 1AA. Nobody home, neighbour says moved.",
    "客戶張偉說下個月還三千五百元，另外他朋友借了他兩萬塊，記錄{n}。",
    '{{"name":"\\u5f20\\u4f1f","note":"3-2-202 上门","amount":"{a}","ticket":{n}}}',
    "上门科技园路八十八号三栋二单元，{d}日回访，客户称可先还1.2万，工单{n}。",
)
PLAIN = (
    "系统日志 2026-01-05 10:{d:02d}:00 INFO order ORD-{n} shipped, 3 items, version 2.{d}.1",
    "今天走了5万步，三次提醒，第一单元的电梯坏了两天，完成率95%，编号{n}。",
    "普通文本{n}，没有任何个人信息，只是一些描述性的句子用来填充语料库的长度而已。",
    "The quick brown fox jumps over the lazy dog while agent {n} reviews the queue.",
    "2026-01-05T10:{d:02d}:00Z GET /api/v1/notices/{n} 200 {d}ms ua=curl/8.1",
    "客户表示理解，会尽快处理，约定下周一再次联系，期间不再外呼（{n}）。",
    "Reminder {n} scheduled for Monday; the agent will call back after the weekend.",
)


def corpus(pii_share: float, seed: int = 21) -> list[str]:
    """About 1 MB of messages, ``pii_share`` of them with the account's values."""
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < 1_000_000:
        row = rng.choice(PII if rng.random() < pii_share else PLAIN)
        text = row.format(
            d=rng.randint(1, 28),
            a=rng.choice(["1234.50", "3500", "800", "5000"]),
            n=rng.randint(10_000, 99_999_999),
        )
        out.append(text)
        size += len(text.encode())
    return out


def best(fn: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs, in CPU seconds of this process (steadier than the
    wall clock on a shared machine), each from cold caches (the normal
    form, the amount scan and the folded text are cached per text)."""
    times = []
    for _ in range(repeat):
        normalize.cache_clear()
        scan.cache_clear()
        fold.cache_clear()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def report(rows: list[str], known: KnownValues, redactor: Redactor) -> None:
    """Print the figures for one corpus."""
    kv, money = KnownValuesDetector(), MoneyDetector()
    whole = "\n".join(rows)
    mb = len(whole.encode()) / 1e6
    cases: list[tuple[str, Callable[[], object]]] = [
        ("known-values, per message", lambda: [list(kv.find(r, known)) for r in rows]),
        ("money, per message", lambda: [list(money.find(r, known)) for r in rows]),
        (
            "both, per message",
            lambda: [(list(money.find(r, known)), list(kv.find(r, known))) for r in rows],
        ),
        ("known-values, one text", lambda: list(kv.find(whole, known))),
        ("money, one text", lambda: list(money.find(whole, known))),
        ("Redactor.mask(log), per message", lambda: [redactor.mask(r, "log", known) for r in rows]),
    ]
    for label, fn in cases:
        print(f"  {label:34} {mb / best(fn, 3 if 'Redactor' in label else 5):7.1f} MB/s")


def main() -> None:
    """Print the figures for both corpora."""
    known = KnownValues.from_account(ACCOUNT)
    redactor = Redactor(default_detectors())
    for share in (0.1, 0.5):
        rows = corpus(share)
        size = sum(len(r.encode()) + 1 for r in rows) / 1e6
        print(f"{share:.0%} of {len(rows)} messages with the account's values ({size:.2f} MB)")
        report(rows, known, redactor)


if __name__ == "__main__":
    main()
