"""Recall and false masking of ``notifysdk redact`` on the real-text corpus (issue 21).

Each row of ``dev.jsonl`` / ``holdout.jsonl`` is a call note, visit record, log line,
JSON or CSV fragment or message, with the account's own values an operator would pass
with ``--known``, the lender's public values, the substrings that must be hidden
(``hide``: value, kind, category) and those that must be kept (``keep``: value,
category).

Every row goes through the CLI itself, in-process (``notifysdk redact --json --known
FILE --role R --channel C``, plus ``--config FILE`` carrying the lender's contact as
``institution_contact`` when the command accepts ``--config``), at level ``log`` unless
the row names a role and channel. Scoring, from the report's spans and masked forms:

- a hide value is *hidden* when every character of each of its occurrences in the text
  lies inside a finding whose masked form differs from the original;
- a keep value is *falsely masked* when any such finding overlaps any occurrence.

A hide value is the personal part only: an amount's figure (with 万 or k), not its
currency (元, 块, ¥, dollars); a Telegram handle without its ``@``.

A third-party check runs each row whose hide values include a name or an amount for an
emergency contact by SMS (level ``none``): the message must be blocked by the leak guard
or carry none of those values verbatim.

    python -m tests.privacy.realtext.measure [dev|holdout|both] [--json] [--misses]

The table shows figures only; ``--misses`` lists misses by row id and category with each
value reduced to its length and first character (for developers, not CI logs).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from notifysdk.privacy import KINDS as PRIVACY_KINDS

HERE = Path(__file__).parent
SPLITS = ("dev", "holdout")

LANGS = frozenset({"zh", "en"})
SOURCES = frozenset({"call_note", "visit_record", "log", "json", "csv", "message"})
KINDS = frozenset(PRIVACY_KINDS)
"""A value's kind is one the SDK reports (the corpus checks against the public list)."""

HIDE_CATEGORIES: dict[str, str] = {
    # kinds with no detector yet
    "ssn": "US Social Security number",
    "uk_nino": "UK National Insurance number",
    "hk_id": "Hong Kong identity card number",
    "macau_id": "Macau resident identity card number",
    "taiwan_id": "Taiwan national identification number",
    "passport": "passport number after a passport label",
    "iban": "IBAN (mod-97)",
    "bank_account_context": "bank account number after an account label",
    "birth_date_context": "date of birth after a birth label",
    "im_handle": "WeChat / QQ / Douyin / Telegram / LINE handle after its label",
    # known names in other forms
    "name_given_only": "debtor's given name alone",
    "name_spaced": "debtor's name with spaces between characters",
    "name_middle_dot": "minority name with / without / another middle dot",
    "name_traditional": "name in the other script (Traditional / Simplified)",
    "name_json_escape": "name inside JSON as \\uXXXX escapes",
    "name_english_parts": "first or last name of an English name alone",
    # known addresses in other forms
    "address_separators": "3-2-202 for 3单元2层202室 and similar",
    "address_cn_numerals": "四单元 for 4单元",
    "address_no_room_suffix": "room number without 室",
    "address_no_prefix": "address without province / city prefix",
    "address_partial": "street and number only",
    # money
    "money_colloquial": "块, 万 without 元, 美元, dollars, bucks, quid, k",
    "money_cn_numerals": "amounts in Chinese numerals (三千五百元, 壹万贰仟元整)",
    # separators and numerals
    "id_card_mobile_separators": "two spaces or a slash between digit groups",
    "mobile_cn_numerals": "mainland mobile in Chinese numerals",
    # email
    "email_underscore_start": "email whose local part starts with _",
    "email_obfuscated": "at/dot, [at], (at), 艾特, spaces around @",
    # phones
    "phone_us_bare_10": "bare 10-digit US number",
    "phone_hk_no_prefix": "Hong Kong number without +852",
    "landline_in_context": "mainland landline without area code after a phone label",
    # baselines that already work (regressions show here)
    "cn_mobile": "mainland mobile",
    "cn_resident_id": "mainland resident ID",
    "card": "Luhn card number",
    "email_plain": "plain email",
    "intl_phone": "international phone with +CC",
    "landline_area_code": "mainland landline with area code",
    "name_verbatim": "known name as registered",
    "address_verbatim": "known address as registered",
    "loan_id_verbatim": "known loan id",
    "amount_plain": "amount with 元 / ¥ / $ / £ or the known amount",
}

KEEP_CATEGORIES: dict[str, str] = {
    "order_number": "order numbers",
    "tracking_number": "parcel tracking numbers (SF, YT, 1Z, S10...)",
    "software_version": "software versions and user agents",
    "ipv4": "IPv4 addresses",
    "message_id": "SMTP Message-IDs",
    "date_not_birth": "dates that are not birth dates",
    "postal_code": "postal codes of the lender",
    "service_number_95": "95xxx service numbers",
    "lender_hotline": "the lender's own hotline (given in public)",
    "own_amount": "the debtor's own amount where the level allows it",
    "timestamp": "timestamps and epochs",
    "invoice_number": "invoice numbers",
    "qq_like_unlabelled": "QQ-looking numbers without a QQ label (tickets, batches)",
}

THIRD_PARTY_KINDS = frozenset({"name", "amount"})
THIRD_PARTY_ROLE, THIRD_PARTY_CHANNEL = "emergency_contact", "sms"
DEFAULT_ROLE, DEFAULT_CHANNEL = "debtor", "log"


class CorpusError(ValueError):
    """A corpus row that breaks the schema (the message names the row, never a value)."""


@dataclass(frozen=True)
class Hide:
    """A value that must be hidden."""

    value: str
    kind: str
    category: str


@dataclass(frozen=True)
class Keep:
    """A value that must be kept."""

    value: str
    category: str


@dataclass(frozen=True)
class Row:
    """One corpus row."""

    id: str
    lang: str
    source: str
    text: str
    known: dict[str, list[str]]
    public: list[str]
    hide: list[Hide]
    keep: list[Keep]
    role: str = DEFAULT_ROLE
    channel: str = DEFAULT_CHANNEL


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    """Every (start, end) of ``value`` in ``text``, overlapping ones included."""
    spans = []
    start = text.find(value)
    while start != -1:
        spans.append((start, start + len(value)))
        start = text.find(value, start + 1)
    return spans


def _str_list(obj: Any) -> TypeGuard[list[str]]:
    return isinstance(obj, list) and all(isinstance(x, str) and x for x in obj)


def parse_row(doc: Any, where: str) -> Row:
    """One row from its JSON object; raises :class:`CorpusError` naming ``where``."""
    if not isinstance(doc, dict):
        raise CorpusError(f"{where}: not an object")
    allowed = {"id", "lang", "source", "text", "known", "public", "hide", "keep"}
    allowed |= {"role", "channel"}
    if extra := set(doc) - allowed:
        raise CorpusError(f"{where}: unknown fields {sorted(extra)}")
    for key in ("id", "lang", "source", "text"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise CorpusError(f"{where}: {key} must be a non-empty string")
    where = f"{where} ({doc['id']})"
    if doc["lang"] not in LANGS:
        raise CorpusError(f"{where}: lang must be one of {sorted(LANGS)}")
    if doc["source"] not in SOURCES:
        raise CorpusError(f"{where}: source must be one of {sorted(SOURCES)}")
    text: str = doc["text"]
    known = doc.get("known")
    if not isinstance(known, dict) or not all(
        k in KINDS and _str_list(v) for k, v in known.items()
    ):
        raise CorpusError(f"{where}: known must map a kind to a list of strings")
    public = doc.get("public")
    if not _str_list(public) or len(public) > 1:
        raise CorpusError(f"{where}: public must be a list of at most one string")
    hide: list[Hide] = []
    keep: list[Keep] = []
    for i, h in enumerate(doc.get("hide") or []):
        if not isinstance(h, dict) or set(h) != {"value", "kind", "category"}:
            raise CorpusError(f"{where}: hide[{i}] needs value, kind, category")
        if h["kind"] not in KINDS or h["category"] not in HIDE_CATEGORIES:
            raise CorpusError(f"{where}: hide[{i}] has an unknown kind or category")
        hide.append(Hide(h["value"], h["kind"], h["category"]))
    for i, k in enumerate(doc.get("keep") or []):
        if not isinstance(k, dict) or set(k) != {"value", "category"}:
            raise CorpusError(f"{where}: keep[{i}] needs value, category")
        if k["category"] not in KEEP_CATEGORIES:
            raise CorpusError(f"{where}: keep[{i}] has an unknown category")
        keep.append(Keep(k["value"], k["category"]))
    values: list[Hide | Keep] = [*hide, *keep]
    for i, v in enumerate(values):
        if not isinstance(v.value, str) or not v.value or v.value not in text:
            raise CorpusError(f"{where}: value #{i} is not a substring of text")
    hidden = [s for h in hide for s in occurrences(text, h.value)]
    for i, k in enumerate(keep):
        for ks, ke in occurrences(text, k.value):
            if any(ks < he and hs < ke for hs, he in hidden):
                raise CorpusError(f"{where}: keep[{i}] overlaps a hide value")
    role = doc.get("role", DEFAULT_ROLE)
    channel = doc.get("channel", DEFAULT_CHANNEL)
    if not isinstance(role, str) or not isinstance(channel, str):
        raise CorpusError(f"{where}: role and channel must be strings")
    if not hide and not keep:
        raise CorpusError(f"{where}: neither hide nor keep values")
    return Row(
        doc["id"], doc["lang"], doc["source"], text, known, public, hide, keep, role, channel
    )


def load(split: str) -> list[Row]:
    """The rows of ``split`` (``dev`` or ``holdout``), validated; ids unique."""
    path = HERE / f"{split}.jsonl"
    rows: list[Row] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            raise CorpusError(f"{path.name}:{n}: not JSON") from None
        row = parse_row(doc, f"{path.name}:{n}")
        if row.id in seen:
            raise CorpusError(f"{path.name}:{n}: duplicate id {row.id}")
        seen.add(row.id)
        rows.append(row)
    return rows


# --- running the CLI ------------------------------------------------------------------


class Redact:
    """``notifysdk redact --json`` invoked in-process, exactly as a user runs it."""

    def __init__(self) -> None:
        import typer
        from typer.testing import CliRunner

        from notifysdk.cli.app import get_app

        self.app = get_app()
        command = typer.main.get_command(self.app)
        redact = command.commands["redact"]  # type: ignore[attr-defined]
        self.accepts_config = any("--config" in p.opts for p in redact.params)
        self.runner = CliRunner()
        self._tmp = tempfile.TemporaryDirectory(prefix="realtext-")
        self.tmp = Path(self._tmp.name)

    def close(self) -> None:
        """Remove the temporary files."""
        self._tmp.cleanup()

    def report(self, row: Row, role: str, channel: str) -> dict[str, Any]:
        """The ``--json`` report for ``row`` sent to ``role`` on ``channel``."""
        known = self.tmp / "known.json"
        known.write_text(json.dumps(row.known, ensure_ascii=False), encoding="utf-8")
        args = ["redact", "--json", "--role", role, "--channel", channel]
        args += ["--known", str(known)]
        if self.accepts_config and row.public:
            config = self.tmp / "settings.toml"
            config.write_text(
                f"institution_contact = {json.dumps(row.public[0], ensure_ascii=False)}\n",
                encoding="utf-8",
            )
            args += ["--config", str(config)]
        result = self.runner.invoke(self.app, args, input=row.text)
        if result.exit_code not in (0, 1):
            raise RuntimeError(f"{row.id}: notifysdk redact exited {result.exit_code}")
        report: dict[str, Any] = json.loads(result.stdout)
        return report


def masked_spans(text: str, report: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each finding whose masked form differs from the text."""
    out = []
    for f in report["findings"]:
        start, end = f["span"]
        if f["masked"] != text[start:end]:
            out.append((start, end, f["kind"]))
    return out


# --- scoring --------------------------------------------------------------------------


@dataclass
class Miss:
    """A hide value not hidden, a keep value masked, or a third-party leak."""

    what: str  # MISS, FALSE or LEAK
    row: str
    category: str
    value: str
    kind: str = ""

    def describe(self) -> str:
        """One line for developers: the value reduced to its length and first char."""
        by = f" kind={self.kind}" if self.kind else ""
        return (
            f"{self.what:5} {self.row:10} {self.category:26}{by} "
            f"len={len(self.value)} first={self.value[0]!r}"
        )


@dataclass
class Score:
    """Counts per category for one split."""

    hide: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hidden: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    keep: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    masked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    third_party_rows: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def violations(self) -> list[Miss]:
        """Third-party leaks."""
        return [m for m in self.misses if m.what == "LEAK"]

    @property
    def violating_rows(self) -> int:
        """Rows with at least one third-party leak."""
        return len({m.row for m in self.violations})

    @property
    def recall(self) -> float:
        """Hidden / hide values, over all categories."""
        total = sum(self.hide.values())
        return sum(self.hidden.values()) / total if total else 1.0

    @property
    def false_masking(self) -> float:
        """Falsely masked / keep values, over all categories."""
        total = sum(self.keep.values())
        return sum(self.masked.values()) / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Figures only (no values)."""
        cats: dict[str, Any] = {}
        for c in HIDE_CATEGORIES:
            if n := self.hide.get(c, 0):
                cats[c] = {"hide": n, "hidden": self.hidden[c], "recall": self.hidden[c] / n}
        for c in KEEP_CATEGORIES:
            if n := self.keep.get(c, 0):
                cats[c] = {"keep": n, "masked": self.masked[c], "false_mask": self.masked[c] / n}
        return {
            "categories": cats,
            "overall": {
                "hide": sum(self.hide.values()),
                "hidden": sum(self.hidden.values()),
                "recall": self.recall,
                "keep": sum(self.keep.values()),
                "masked": sum(self.masked.values()),
                "false_mask": self.false_masking,
            },
            "third_party": {
                "rows": self.third_party_rows,
                "violating_rows": self.violating_rows,
                "leaked_values": len(self.violations),
            },
        }


def covered(span: tuple[int, int], masked: Iterable[tuple[int, int, str]]) -> bool:
    """Whether every character of ``span`` lies inside some masked finding."""
    start, end = span
    chars = set(range(start, end))
    for ms, me, _ in masked:
        chars -= set(range(ms, me))
    return not chars


def score_row(row: Row, redact: Redact, score: Score) -> None:
    """Add ``row``'s figures (and misses) to ``score``."""
    report = redact.report(row, row.role, row.channel)
    masked = masked_spans(row.text, report)
    for h in row.hide:
        score.hide[h.category] += 1
        if all(covered(s, masked) for s in occurrences(row.text, h.value)):
            score.hidden[h.category] += 1
        else:
            score.misses.append(Miss("MISS", row.id, h.category, h.value, h.kind))
    for k in row.keep:
        score.keep[k.category] += 1
        hits = [
            kind
            for ks, ke in occurrences(row.text, k.value)
            for ms, me, kind in masked
            if ms < ke and ks < me
        ]
        if hits:
            score.masked[k.category] += 1
            score.misses.append(Miss("FALSE", row.id, k.category, k.value, hits[0]))
    sensitive = [h for h in row.hide if h.kind in THIRD_PARTY_KINDS]
    if sensitive:
        score.third_party_rows += 1
        third = redact.report(row, THIRD_PARTY_ROLE, THIRD_PARTY_CHANNEL)
        if not third["blocked"]:
            for h in sensitive:
                if h.value in third["text"]:
                    score.misses.append(Miss("LEAK", row.id, h.category, h.value, h.kind))


def measure(rows: Iterable[Row]) -> Score:
    """Score every row through the CLI."""
    redact = Redact()
    score = Score()
    try:
        for row in rows:
            score_row(row, redact, score)
    finally:
        redact.close()
    return score


# --- output ---------------------------------------------------------------------------


def _pct(n: int, d: int) -> str:
    return f"{n / d:.3f}" if d else "-"


def table(scores: dict[str, Score]) -> Iterator[str]:
    """A Markdown table per category: hide n and recall, keep n and false-mask rate,
    one pair of columns per split."""
    names = list(scores)
    head = "| category |" + "".join(
        f" {s} hide n | {s} recall | {s} keep n | {s} false-mask |" for s in names
    )
    yield head
    yield "|---|" + "---:|" * (4 * len(names))

    def line(label: str, cat: str | None) -> str:
        cells = []
        for sc in scores.values():
            if cat is None:
                h, hid = sum(sc.hide.values()), sum(sc.hidden.values())
                k, m = sum(sc.keep.values()), sum(sc.masked.values())
            else:
                h, hid = sc.hide.get(cat, 0), sc.hidden.get(cat, 0)
                k, m = sc.keep.get(cat, 0), sc.masked.get(cat, 0)
            cells += [str(h) if h else "-", _pct(hid, h), str(k) if k else "-", _pct(m, k)]
        return f"| {label} | " + " | ".join(cells) + " |"

    for cat in [*HIDE_CATEGORIES, *KEEP_CATEGORIES]:
        if any(cat in sc.hide or cat in sc.keep for sc in scores.values()):
            yield line(cat, cat)
    yield line("**overall**", None)
    yield ""
    for name, sc in scores.items():
        yield (
            f"- {name}: third-party check (emergency_contact, sms): {sc.third_party_rows} "
            f"rows with a name or amount to hide, {sc.violating_rows} not blocked and "
            f"carrying one verbatim ({len(sc.violations)} values)"
        )


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m tests.privacy.realtext.measure")
    parser.add_argument("split", nargs="?", default="both", choices=[*SPLITS, "both"])
    parser.add_argument("--json", action="store_true", help="figures as JSON")
    parser.add_argument("--misses", action="store_true", help="list misses (developers)")
    args = parser.parse_args(argv)
    splits = SPLITS if args.split == "both" else (args.split,)
    scores = {s: measure(load(s)) for s in splits}
    if args.json:
        print(json.dumps({s: sc.as_dict() for s, sc in scores.items()}, indent=2))
    else:
        print("\n".join(table(scores)))
    if args.misses:
        for s, sc in scores.items():
            print(f"\n# {s}: misses")
            for m in sc.misses:
                print(m.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
