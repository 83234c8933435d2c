"""Redaction throughput on mixed Chinese/English text.

Text: SMS-sized messages (~120–250 characters) mixing Chinese and English sentences,
about a third carrying personal data (mobiles in several spellings, resident IDs, cards,
emails, foreign numbers, amounts) and the rest look-alikes (order numbers, dates, times)
and plain prose. Every message is different, so no cache helps more than it would in
production.

Baseline, in the same run: one compiled regular expression (digit runs and emails)
substituted over the same messages — the cheapest masking anyone would write, with no
validation at all. Measured: ``Redactor.mask`` with the built-in detectors at the SMS
level, on the messages and on long texts (where the leak guard re-scans only around
what it replaced), each against the baseline on the same texts; where the time of
``Redactor.mask`` goes (each detector's share over both passes, the rest being the
prescan, merging and masking); each detector alone; and the logging filter per record.
Prints MB/s (UTF-8) and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from stdnum import luhn
from stdnum.cn import ric

from notifysdk.channels import Disclosure
from notifysdk.privacy import Detector, Finding, KnownValues, Redactor, default_detectors
from notifysdk.redaction_logging import RedactingFilter

ZH = (
    "您好，您的借款已逾期{d}天，请尽快还款。",
    "如有疑问请联系客服，工作日9:00-18:00。",
    "订单号DD2024{o}已发货，预计{d}日送达。",
    "我们将于2025-03-{dd} 10:30前与您联系。",
    "本通知由系统自动发送，请勿回复。",
)
EN = (
    "Your payment is {d} days overdue. ",
    "Order #{o} shipped on 2024-03-{dd}. ",
    "Please contact us to agree a repayment plan. ",
    "Meeting at 10:30, room {d}. ",
)


def _pii(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        n = rng.choice(("138", "139", "150", "186", "199")) + f"{rng.randrange(10**8):08d}"
        return rng.choice((n, f"+86 {n[:3]} {n[3:7]} {n[7:]}", f"{n[:3]}-{n[3:7]}-{n[7:]}"))
    if kind == 1:
        body = f"110105{1950 + rng.randrange(50)}0{rng.randrange(1, 10)}1{rng.randrange(10)}"
        body += f"{rng.randrange(1000):03d}"
        return body + ric.calc_check_digit(body + "0")
    if kind == 2:
        body = "622202" + "".join(str(rng.randrange(10)) for _ in range(12))
        card = body + luhn.calc_check_digit(body)
        return " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    if kind == 3:
        return f"user{rng.randrange(10**6)}@example.com"
    if kind == 4:
        return f"+1 415-555-{rng.randrange(10**4):04d}"
    return f"¥{rng.randrange(100, 99999):,}.{rng.randrange(100):02d}"


def messages(n: int, seed: int = 1) -> list[str]:
    """``n`` distinct mixed messages."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randrange(2, 5)):
            t = rng.choice(ZH + EN)
            parts.append(
                t.format(
                    d=rng.randrange(1, 90), o=rng.randrange(10**8), dd=f"{rng.randrange(1, 29):02d}"
                )
            )
            if rng.random() < 0.35:
                parts.append(("联系方式：" if rng.random() < 0.5 else " contact: ") + _pii(rng))
        out.append("".join(parts))
    return out


def documents(n: int, seed: int = 1) -> list[str]:
    """``n`` distinct long texts (letters, call notes: 60–120 lines of the messages'
    prose) with two personal values each, where the leak guard looks again only around
    what it replaced."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lines = [
            "".join(
                rng.choice(ZH + EN).format(
                    d=rng.randrange(1, 90), o=rng.randrange(10**8), dd=f"{rng.randrange(1, 29):02d}"
                )
                for _ in range(rng.randrange(1, 4))
            )
            for _ in range(rng.randrange(60, 120))
        ]
        for _ in range(2):
            lines[rng.randrange(len(lines))] += " contact: " + _pii(rng)
        out.append("\n".join(lines))
    return out


_clock = time.perf_counter
"""Wall time by default; ``--clock cpu`` reads this process's CPU time instead, which
other processes on a shared machine disturb far less."""


def throughput(fn: Callable[[str], object], texts: list[str], total_bytes: int) -> float:
    """MB/s over ``texts`` (best of three passes)."""
    best = float("inf")
    for _ in range(3):
        start = _clock()
        for t in texts:
            fn(t)
        best = min(best, _clock() - start)
    return total_bytes / best / 1e6


class _Timed:
    """A detector that adds the time of its ``find`` to ``spent`` (and keeps the
    ``may_find`` and ``kinds`` the redactor reads)."""

    def __init__(self, detector: Detector, spent: defaultdict[str, float]) -> None:
        self._detector = detector
        self._spent = spent
        self.name = detector.name
        for attr in ("may_find", "kinds"):
            if hasattr(detector, attr):
                setattr(self, attr, getattr(detector, attr))

    def find(self, text: str, known: KnownValues) -> Iterable[Finding]:
        start = _clock()
        found = list(self._detector.find(text, known))
        self._spent[self.name] += _clock() - start
        return found


def shares(texts: list[str], known: KnownValues) -> tuple[float, dict[str, float]]:
    """Seconds of one ``Redactor.mask`` pass over ``texts``, and each detector's
    seconds in it (both passes: the input and the leak guard's look at the result)."""
    spent: defaultdict[str, float] = defaultdict(float)
    redactor = Redactor([_Timed(d, spent) for d in default_detectors()])
    start = _clock()
    for t in texts:
        redactor.mask(t, Disclosure.LIMITED, known)
    return _clock() - start, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument(
        "--runs", type=int, default=1, help="repeat the headline figures; print their medians"
    )
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args()
    global _clock
    _clock = time.process_time if args.clock == "cpu" else time.perf_counter
    texts = messages(args.messages)
    size = sum(len(t.encode("utf-8")) for t in texts)
    known = KnownValues((("name", "张伟"), ("loan_id", "LN202600000001")))
    print(f"{len(texts)} messages, {size / 1e6:.2f} MB UTF-8, mean {size / len(texts):.0f} bytes")

    baseline_re = re.compile(r"[0-9][0-9 -]{6,}[0-9]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    redactor = Redactor(default_detectors())
    docs = documents(max(1, args.messages // 40), 4)
    doc_size = sum(len(t.encode("utf-8")) for t in docs)
    figures: list[tuple[float, float, float, float]] = []
    for _ in range(args.runs):
        base = throughput(lambda t: baseline_re.sub("****", t), texts, size)
        print(f"baseline (one regex pass, no validation): {base:8.2f} MB/s")
        # Fresh texts for the measured runs, so the detectors' validation caches start cold.
        full = throughput(
            lambda t: redactor.mask(t, Disclosure.LIMITED, known), messages(args.messages, 2), size
        )
        print(
            f"Redactor.mask, all detectors + leak guard: {full:8.2f} MB/s  ratio {full / base:.3f}"
        )
        doc_base = throughput(lambda t: baseline_re.sub("****", t), docs, doc_size)
        long = throughput(lambda t: redactor.mask(t, Disclosure.LIMITED, known), docs, doc_size)
        print(
            f"Redactor.mask, long texts ({doc_size / len(docs) / 1e3:.1f} kB, two values each):"
            f" {long:8.2f} MB/s  baseline {doc_base:8.2f} MB/s  ratio {long / doc_base:.3f}"
        )
        figures.append((full, full / base, long, long / doc_base))
    if args.runs > 1:
        medians = [statistics.median(f[i] for f in figures) for i in range(4)]
        sms, sms_ratio, lng, lng_ratio = medians
        print(
            f"median of {args.runs} runs: SMS {sms:.2f} MB/s ratio {sms_ratio:.3f};"
            f" long {lng:.2f} MB/s ratio {lng_ratio:.3f}"
        )
    total, spent = shares(messages(args.messages, 5), known)
    print("where Redactor.mask's time goes (SMS messages, both passes):")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:16} {seconds / total * 100:5.1f}%")
    rest = total - sum(spent.values())
    print(f"  {'(rest)':16} {rest / total * 100:5.1f}%  prescan, merging, masking")
    for det in default_detectors():
        single = Redactor([det])
        rate = throughput(lambda t, r=single: r.find(t, known), texts, size)  # type: ignore[misc]
        print(f"  {det.name:16} find only:              {rate:8.2f} MB/s  ratio {rate / base:.3f}")

    flt = RedactingFilter(redactor)
    records = [
        logging.LogRecord("notifysdk.bench", logging.INFO, __file__, 1, "%s", (t,), None)
        for t in messages(args.messages, 3)
    ]
    start = _clock()
    for rec in records:
        flt.filter(rec)
    per = (_clock() - start) / len(records)
    print(f"logging filter: {1 / per:10.0f} records/s ({per * 1e6:.1f} µs per record)")


if __name__ == "__main__":
    main()
