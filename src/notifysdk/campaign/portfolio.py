"""Portfolio input: CSV or JSONL, streamed one row at a time, validated into accounts.

Nothing is loaded whole: :func:`read_portfolio` yields a :class:`PortfolioRow` (a valid
:class:`~notifysdk.models.Account`) or a :class:`BadRow` (its line number, the column and
the reason — never the value, which may be personal data) for every record, in order.
It is :func:`read_records` (each record as read, a :class:`RawRecord`, or the
:class:`BadRow` of one that cannot even be read) followed by :func:`validate_record`,
which a run over several processes does apart: the parent reads, the workers validate.

**CSV** (UTF-8, a header row; see :data:`CSV_COLUMNS`). One account per row, the debtor's
phone, email and postal address in columns. ``profiles`` and ``states`` are lists
separated by ``;``. Booleans are ``true``/``false`` (also ``1``/``0``, ``yes``/``no``);
empty cells are "not given". Unknown columns are refused (a typo would otherwise silently
drop data).

**JSONL** (``.jsonl`` or ``.ndjson``): one JSON object per line, either a full
:class:`~notifysdk.models.Account` (it has a ``debtor`` object; parties and several
contacts allowed) or the flat CSV shape with the same keys as the CSV columns.

**Bounds** (:mod:`notifysdk.limits`): a CSV record or JSONL line longer than
:data:`~notifysdk.limits.MAX_ROW_CHARS` is refused before it is parsed (and never held
whole in memory); a JSONL line nested deeper than
:data:`~notifysdk.limits.MAX_JSON_DEPTH`, or with a number longer than
:data:`~notifysdk.limits.MAX_NUMBER_CHARS`, is refused before ``json.loads`` could
recurse or choke; the models bound every field. Whatever one record raises, it is that
record's :class:`BadRow`: the reader goes on with the next.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .. import safejson
from ..errors import InvalidInputError
from ..limits import MAX_ROW_CHARS
from ..models import Account
from .fast_rows import fast_account, fast_csv_account

__all__ = [
    "CSV_COLUMNS",
    "REQUIRED_COLUMNS",
    "BadRow",
    "CsvRecord",
    "JsonlRecord",
    "PortfolioRow",
    "RawRecord",
    "Row",
    "account_from_flat",
    "count_records",
    "read_portfolio",
    "read_records",
    "validate_record",
]

CSV_COLUMNS: tuple[str, ...] = (
    "account_id", "loan_id", "institution", "agency", "currency", "principal",
    "overdue_amount", "penalty_interest", "due_date", "days_overdue", "profiles", "states",
    "debtor_id", "debtor_name", "national_id", "locale", "time_zone", "country",
    "phone", "phone_consent", "phone_opted_out", "phone_line_type",
    "email", "email_consent", "email_opted_out", "email_is_work",
    "address_line1", "address_line2", "city", "region", "postal_code", "address_country",
)  # fmt: skip
"""Every column a portfolio CSV may have, in the order the sample uses."""

REQUIRED_COLUMNS: frozenset[str] = frozenset({
    "account_id", "loan_id", "institution", "currency", "principal", "overdue_amount",
    "due_date", "days_overdue", "debtor_id", "debtor_name",
})  # fmt: skip
"""Columns a portfolio CSV must have (cells may still be refused row by row)."""

_ACCOUNT_COLUMNS = (
    "account_id", "loan_id", "institution", "agency", "currency", "principal",
    "overdue_amount", "penalty_interest", "due_date", "days_overdue",
)  # fmt: skip
_PERSON_COLUMNS = {
    "debtor_id": "person_id", "debtor_name": "name", "national_id": "national_id",
    "locale": "locale", "time_zone": "time_zone", "country": "country",
}  # fmt: skip
_ADDRESS_FIELDS = {
    "lines": "address_line1", "city": "city", "region": "region",
    "postal_code": "postal_code", "country": "address_country",
}  # fmt: skip
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """A valid record: its (first) line number in the file and the account."""

    line: int
    account: Account


@dataclass(frozen=True, slots=True)
class BadRow:
    """A refused record: its line number, the column (or field path) and the reason.

    Neither carries the offending value.
    """

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"line": self.line, "field": self.field, "reason": self.reason}


Row = PortfolioRow | BadRow
"""What :func:`read_portfolio` yields."""


@dataclass(frozen=True, slots=True)
class CsvRecord:
    """A CSV record as read, not yet validated: its first line number, the header (one
    tuple shared by every record of the file) and as many cells. It holds the row's
    values: it is handed to :func:`validate_record`, never shown."""

    line: int
    header: tuple[str, ...]
    cells: list[str]


@dataclass(frozen=True, slots=True)
class JsonlRecord:
    """A JSONL line as read, not yet parsed: its line number and its text."""

    line: int
    text: str


RawRecord = CsvRecord | JsonlRecord
"""A record of :func:`read_records`."""


def read_portfolio(path: Path | str) -> Iterator[Row]:
    """Stream the records of a CSV or JSONL portfolio, validating each into an Account.

    The format is chosen by extension (``.jsonl``/``.ndjson`` → JSONL, anything else
    CSV). A header that is missing required columns or names unknown ones raises
    :class:`~notifysdk.errors.InvalidInputError` (``field`` is ``portfolio.header``)
    before any row is yielded; a missing file raises it with ``field`` ``portfolio``.
    """
    records = read_records(path)
    return (r if isinstance(r, BadRow) else validate_record(r) for r in records)


def read_records(path: Path | str) -> Iterator[RawRecord | BadRow]:
    """Stream the records of a portfolio as read, in order: a :class:`RawRecord` for
    each, or the :class:`BadRow` of one that cannot be read at all (malformed CSV, too
    long, the wrong number of cells). Raises as :func:`read_portfolio` does."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInputError("portfolio", f"no such file: {p}")
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        return _jsonl_records(p)
    return _csv_records(p)


def validate_record(record: RawRecord) -> Row:
    """The account of a record of :func:`read_records`, or its :class:`BadRow`."""
    if isinstance(record, JsonlRecord):
        return _validate_line(record.line, record.text)
    account = fast_csv_account(record.header, record.cells)
    if account is not None:  # a printable common row: what _validate_flat would build
        return PortfolioRow(record.line, account)
    return _validate_flat(record.line, dict(zip(record.header, record.cells, strict=True)))


def count_records(path: Path | str) -> int:
    """A fast estimate of the number of records (lines, less a CSV header), for progress."""
    p = Path(path)
    lines = 0
    last = b"\n"
    with p.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    if p.suffix.lower() not in (".jsonl", ".ndjson"):
        lines -= 1
    return max(lines, 0)


def _open(p: Path) -> TextIO:
    # surrogateescape: a byte that is not UTF-8 is reported on its row, not fatal to the file.
    return p.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


_TOO_LONG = f"longer than {MAX_ROW_CHARS} characters (MAX_ROW_CHARS)"


class _BoundedLines:
    """The lines of a text file for :mod:`csv`, each read at most ``limit`` characters
    at a time. Once a record passes ``limit`` characters, the rest of it is read and
    dropped (an empty line stands in for each of its lines) and :attr:`too_long` is
    set, so a 10 MB cell costs neither the memory nor the parse."""

    def __init__(self, f: TextIO, limit: int) -> None:
        self.f = f
        self.limit = limit
        self.record = 0
        self.too_long = False

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        text = self.f.readline(self.limit + 1)
        if not text:
            raise StopIteration
        self.record += len(text)
        if self.record <= self.limit:
            return text
        self.too_long = True
        while text and text[-1] not in "\r\n":
            text = self.f.readline(1 << 16)
        return "\n"

    def next_record(self) -> None:
        """Start counting the next record."""
        self.record = 0
        self.too_long = False


def _csv_records(p: Path) -> Iterator[RawRecord | BadRow]:
    f = _open(p)
    try:
        lines = _BoundedLines(f, MAX_ROW_CHARS)
        reader = csv.reader(lines)
        try:
            header = tuple(h.strip().lstrip("\ufeff") for h in next(reader))
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInputError("portfolio.header", f"malformed CSV: {exc}") from None
        if lines.too_long:
            raise InvalidInputError("portfolio.header", f"the header row is {_TOO_LONG}")
        _check_header(header)
        width = len(header)
        while True:
            lines.next_record()
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # csv's reasons ("field larger than field limit", "new-line character
                # seen in unquoted field") name the problem, not the cell.
                yield BadRow(
                    start, "<row>", _TOO_LONG if lines.too_long else f"malformed CSV: {exc}"
                )
                continue
            if lines.too_long:
                yield BadRow(start, "<row>", _TOO_LONG)
                continue
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != width:
                yield BadRow(start, "<row>", f"expected {width} fields, found {len(cells)}")
                continue
            yield CsvRecord(start, header, cells)
    finally:
        f.close()


_COLUMN_NAME = re.compile(r"(?!.*[0-9]{3})[a-z_][a-z0-9_]{0,63}")
"""What a column name looks like, as every one of :data:`CSV_COLUMNS` does: lower-case
snake case, no run of three digits. A debtor's ID (``PZQ00000000``), account number or
Latin name (``Zhang Wei``) in a header row that swallowed a data row does not."""


def _column_names(cells: list[str]) -> str:
    """Header cells for an error: those that look like column names or are close to one
    (a typo: ``address_contry``, ``Phonee``), the others only counted (a first row that
    is data would otherwise print a debtor's details)."""
    named = [c for c in cells if _COLUMN_NAME.fullmatch(c) or _near_column(c)]
    return ", ".join(named + [f"{len(cells) - len(named)} other(s)"] * (len(named) < len(cells)))


def _near_column(cell: str) -> bool:
    """Is ``cell``, lower-cased, a near miss of a column name (difflib ratio 0.8)?"""
    if len(cell) > 64 or _DIGIT_RUN.search(cell):
        return False
    return bool(difflib.get_close_matches(cell.lower(), CSV_COLUMNS, n=1, cutoff=0.8))


_DIGIT_RUN = re.compile(r"[0-9]{3}")


def _check_header(header: Sequence[str]) -> None:
    """Refuse a header that misses required columns, names unknown ones or repeats
    one. The error names columns of :data:`CSV_COLUMNS` and header cells that look
    like column names, never another cell: a file without its header row has a
    debtor's phone, ID and name where the header should be."""
    known = set(CSV_COLUMNS)
    if not known & set(header):
        raise InvalidInputError(
            "portfolio.header",
            f"the first row names none of the columns ({len(header)} cells): is the header "
            "row missing? It must name columns such as "
            f"{', '.join(c for c in CSV_COLUMNS if c in REQUIRED_COLUMNS)}",
        )
    missing = sorted(REQUIRED_COLUMNS - set(header))
    unknown = [h for h in dict.fromkeys(header) if h not in known]
    dupes = sorted({h for h in header if header.count(h) > 1 and h in known})
    problems = []
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if unknown:
        positions = ", ".join(str(header.index(h) + 1) for h in unknown)
        problems.append(f"unknown column(s): {_column_names(unknown)} (at position(s) {positions})")
    if dupes:
        problems.append(f"duplicate column(s): {', '.join(dupes)}")
    if problems:
        raise InvalidInputError("portfolio.header", "; ".join(problems))


def _bounded_lines(f: TextIO, limit: int) -> Iterator[str | None]:
    """Each line of ``f``, or ``None`` for one longer than ``limit`` characters (read
    and dropped in pieces, never held whole)."""
    while text := f.readline(limit + 1):
        if len(text) <= limit or text[-1] in "\r\n":
            yield text
            continue
        while text and text[-1] not in "\r\n":
            text = f.readline(1 << 16)
        yield None


def _jsonl_records(p: Path) -> Iterator[RawRecord | BadRow]:
    f = _open(p)
    try:
        for number, text in enumerate(_bounded_lines(f, MAX_ROW_CHARS), start=1):
            if text is None:
                yield BadRow(number, "<row>", _TOO_LONG)
            elif text.strip():
                yield JsonlRecord(number, text)
    finally:
        f.close()


def _validate_line(number: int, text: str) -> Row:
    """One JSONL line: a full Account object, or the flat CSV shape."""
    if _has_surrogates(text):
        return BadRow(number, "<row>", "not valid UTF-8")
    try:
        obj = safejson.loads(text, "<row>")
    except InvalidInputError as exc:
        return BadRow(number, "<row>", exc.reason)
    if not isinstance(obj, dict):
        return BadRow(number, "<row>", "each line must be a JSON object")
    if "debtor" in obj:
        return _validate_full(number, obj)
    unknown = [k for k in obj if k not in CSV_COLUMNS]
    if unknown:
        return BadRow(number, "<row>", f"unknown key(s): {_column_names(unknown)}")
    missing = sorted(REQUIRED_COLUMNS - set(obj))
    if missing:
        return BadRow(number, missing[0], "field is required")
    flat = {
        k: ("" if v is None else v if isinstance(v, str) else _jsonish(v)) for k, v in obj.items()
    }
    return _validate_flat(number, flat)


def _jsonish(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    return str(v)


def _validate_full(line: int, obj: dict[str, Any]) -> Row:
    try:
        return PortfolioRow(line, Account.model_validate(obj))
    except InvalidInputError as exc:
        field = exc.field.removeprefix("account.")
        return BadRow(line, field, _scrub(exc.reason, _strings(obj)))
    except Exception as exc:  # whatever one record raises is that record's refusal
        return _unexpected(line, exc)


def _unexpected(line: int, exc: Exception) -> BadRow:
    # The exception's message may quote the record: only its type is named.
    return BadRow(line, "<row>", f"refused: unexpected {type(exc).__name__} while validating")


def _strings(obj: Any) -> list[str]:
    out: list[str] = []
    stack = [obj]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Mapping):
            stack.extend(cur.values())
        elif isinstance(cur, list | tuple):
            stack.extend(cur)
        elif isinstance(cur, str):
            out.append(cur)
    return out


def _validate_flat(line: int, cells: dict[str, str]) -> Row:
    if _has_surrogates("".join(cells.values())):  # one scan; then find the column
        for column, value in cells.items():
            if _has_surrogates(value):
                return BadRow(line, column, "not valid UTF-8")
    account = fast_account(cells)
    if account is not None:  # the common row, built as model_validate builds it
        return PortfolioRow(line, account)
    try:
        data, paths = account_from_flat(cells)
    except InvalidInputError as exc:
        return BadRow(line, exc.field, exc.reason)
    try:
        return PortfolioRow(line, Account.model_validate(data))
    except InvalidInputError as exc:
        return BadRow(line, _column_for(exc.field, paths), _scrub(exc.reason, cells.values()))
    except Exception as exc:  # whatever one record raises is that record's refusal
        return _unexpected(line, exc)


def account_from_flat(cells: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn one flat record (CSV columns → text) into the nested Account shape.

    Returns the data for :meth:`Account.model_validate` and a map from model field path
    prefixes (``debtor.contacts[0]``) to the column they came from, so an error can name
    the column. Raises :class:`InvalidInputError` naming the column for a bad boolean.
    """

    stripped = {k: v.strip() or None for k, v in cells.items() if v is not None}
    get = stripped.get

    data: dict[str, Any] = {k: v for k in _ACCOUNT_COLUMNS if (v := get(k)) is not None}
    for name in ("profiles", "states"):
        raw = get(name)
        if raw is not None:
            data[name] = [p.strip() for p in raw.split(";") if p.strip()]
    person: dict[str, Any] = {
        dst: v for src, dst in _PERSON_COLUMNS.items() if (v := get(src)) is not None
    }
    contacts: list[dict[str, Any]] = []
    paths: dict[str, str] = {}
    if get("phone") is not None:
        phone: dict[str, Any] = {"kind": "phone", "value": get("phone")}
        _optional(phone, "consent", get("phone_consent"))
        _optional(phone, "line_type", get("phone_line_type"))
        phone["opted_out"] = _bool(cells, "phone_opted_out")
        paths[f"debtor.contacts[{len(contacts)}]"] = "phone"
        contacts.append(phone)
    if get("email") is not None:
        email: dict[str, Any] = {"kind": "email", "value": get("email")}
        _optional(email, "consent", get("email_consent"))
        email["opted_out"] = _bool(cells, "email_opted_out")
        email["is_work"] = _bool(cells, "email_is_work")
        paths[f"debtor.contacts[{len(contacts)}]"] = "email"
        contacts.append(email)
    if get("address_line1") is not None or get("city") is not None:
        lines = [x for x in (get("address_line1"), get("address_line2")) if x]
        address: dict[str, Any] = {"kind": "address", "lines": lines}
        for fld, col in _ADDRESS_FIELDS.items():
            if fld != "lines":
                _optional(address, fld, get(col))
        paths[f"debtor.contacts[{len(contacts)}]"] = "address"
        contacts.append(address)
    person["contacts"] = contacts
    data["debtor"] = person
    return data, paths


def _optional(target: dict[str, Any], key: str, value: str | None) -> None:
    if value is not None:
        target[key] = value


def _bool(cells: Mapping[str, str], column: str) -> bool:
    raw = (cells.get(column) or "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InvalidInputError(column, "must be true or false")


def _column_for(field: str, paths: Mapping[str, str]) -> str:
    """Map a model field path back to the CSV column it came from."""
    path = field.removeprefix("account.")
    for prefix, base in paths.items():
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            rest = path[len(prefix) :].lstrip(".")
            if base == "address":
                sub = rest.split("[", 1)[0].split(".", 1)[0]
                return _ADDRESS_FIELDS.get(sub, f"address.{rest}" if rest else "address")
            if rest in ("", "value"):
                return base
            return f"{base}_{rest}"
    if path.startswith("debtor."):
        sub = path.removeprefix("debtor.")
        for col, dst in _PERSON_COLUMNS.items():
            if sub == dst:
                return col
        return path
    return path.split("[", 1)[0]


def _scrub(reason: str, values: Any) -> str:
    """Remove any cell value that a reason happens to quote (defence in depth)."""
    for value in values:
        if not isinstance(value, str):
            continue
        value = value.strip()
        for v in (value, *value.split("@")):
            if len(v) >= 3 and v in reason:
                reason = reason.replace(v, "***")
    return reason


_SURROGATE = re.compile("[\udc80-\udcff]")
"""What ``surrogateescape`` decoding leaves for a byte that is not UTF-8."""


def _has_surrogates(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None
