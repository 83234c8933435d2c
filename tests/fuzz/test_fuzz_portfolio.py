"""Fuzzing the portfolio readers: random bytes and mutated valid CSV and JSONL files.

Every file either streams (each record a :class:`PortfolioRow` or a :class:`BadRow`) or
raises the SDK's own typed error, within the deadline; no bad-row reason and no error
names a personal value of the input; and every account that loads can be formatted and
keyed (its amounts fit the currency formatting).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import (
    CSV_COLUMNS,
    HOSTILE_TEXT,
    csv_bytes,
    flat_row,
    full_account,
    jsonl_bytes,
    leaked,
    paths,
    personal_values,
    set_path,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from notifysdk.campaign import BadRow, PortfolioRow, read_portfolio
from notifysdk.campaign.ladder import default_ladder
from notifysdk.campaign.planner import Planner
from notifysdk.errors import NotifyError
from notifysdk.models import Account
from notifysdk.privacy import KnownValues
from notifysdk.templating import money

FUZZ = settings(
    max_examples=200,
    deadline=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
PLANNER = Planner(default_ladder())


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-portfolio")


def _use(account: Account) -> None:
    """What a campaign does with an account before any channel: format and key it."""
    for amount in (account.total_due, account.principal, account.penalty_interest):
        money(amount, account.currency, account.debtor.locale)
    KnownValues.from_account(account)
    planned, _ = PLANNER.plan(account, NOW)
    for item in planned:
        for medium in item.stage.media:
            item.key(medium)
            item.earlier_days()


def _errors(data: bytes, path: Path) -> list[str]:
    """Read ``data`` as the portfolio ``path``: the texts of its bad rows or its error.
    Anything but the SDK's own error propagates (and fails the test)."""
    path.write_bytes(data)
    texts: list[str] = []
    try:
        for row in read_portfolio(path):
            if isinstance(row, BadRow):
                texts.append(str(row))
            else:
                assert isinstance(row, PortfolioRow)
                _use(row.account)
    except NotifyError as exc:
        texts.append(str(exc))
    return texts


def _check(data: bytes, path: Path, secrets: list[str]) -> None:
    for text in _errors(data, path):
        assert not leaked(text, secrets), (text, leaked(text, secrets))


# -- byte-level mutations ---------------------------------------------------------------

Mutation = Callable[[bytes, random.Random], bytes]


def _truncate(b: bytes, r: random.Random) -> bytes:
    return b[: r.randint(0, len(b))]


def _insert(token: bytes) -> Mutation:
    def mutate(b: bytes, r: random.Random) -> bytes:
        at = r.randint(0, len(b))
        return b[:at] + token + b[at:]

    return mutate


def _flip(b: bytes, r: random.Random) -> bytes:
    if not b:
        return b
    at = r.randrange(len(b))
    return b[:at] + bytes([b[at] ^ (1 << r.randrange(8))]) + b[at + 1 :]


def _bom(b: bytes, r: random.Random) -> bytes:
    return b"\xef\xbb\xbf" * r.randint(1, 3) + b


def _crlf(b: bytes, r: random.Random) -> bytes:
    return b.replace(b"\n", r.choice([b"\r\n", b"\r", b"\n\n"]))


def _drop_first_line(b: bytes, r: random.Random) -> bytes:
    return b.split(b"\n", 1)[1] if b"\n" in b else b


def _duplicate_line(b: bytes, r: random.Random) -> bytes:
    lines = b.split(b"\n")
    i = r.randrange(len(lines))
    return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])


MUTATIONS: list[Mutation] = [
    _truncate,
    _insert(b"\x00"),
    _insert(b"\xff\xfe"),
    _insert(b"\xc3"),
    _insert(b'"'),
    _insert(b","),
    _insert(b"\n"),
    _flip,
    _bom,
    _crlf,
    _drop_first_line,
    _duplicate_line,
]

mutations = st.lists(st.sampled_from(MUTATIONS), max_size=3)
hostile = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))


def _apply(data: bytes, chosen: list[Mutation], seed: int) -> bytes:
    r = random.Random(seed)
    for mutate in chosen:
        data = mutate(data, r)
    return data


# -- the tests ----------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=3000), jsonl=st.booleans())
def test_random_bytes_load_or_raise_a_typed_error(data: bytes, jsonl: bool, folder: Path) -> None:
    _errors(data, folder / ("random.jsonl" if jsonl else "random.csv"))


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    people = draw(st.lists(personal_values(), min_size=1, max_size=3))
    rows = [flat_row(v) for v in people]
    for row in rows:
        for _ in range(draw(st.integers(0, 2))):
            row[draw(st.sampled_from(CSV_COLUMNS))] = draw(hostile)
    columns = list(CSV_COLUMNS)
    layout = draw(st.sampled_from(["plain", "no-header", "dup-column", "unknown", "shuffled"]))
    if layout == "dup-column":
        columns.append(draw(st.sampled_from(CSV_COLUMNS)))
    elif layout == "shuffled":
        columns = draw(st.permutations(columns))
    data = csv_bytes(rows, columns)
    if layout == "unknown":
        data = data.replace(b"agency", b"agnecy", 1)
    elif layout == "no-header":
        data = data.split(b"\n", 1)[1]
    data = _apply(data, draw(mutations), draw(st.integers(0, 2**32)))
    secrets = [s for v in people for s in v.values()]
    return data, secrets


@FUZZ
@given(case=csv_files())
def test_mutated_csv_loads_or_is_refused_without_echoing_a_value(
    case: tuple[bytes, list[str]], folder: Path
) -> None:
    data, secrets = case
    _check(data, folder / "mutated.csv", secrets)


HOSTILE_JSON: tuple[str, ...] = (
    "9" * 5000,
    "-" + "9" * 5000,
    "1e400",
    "1E+1000000",
    "1e28",
    "1.5e-999999",
    "NaN",
    "-Infinity",
    "[" * 5000 + "]" * 5000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    '"' + "x" * 100_000 + '"',
    '"\\u0000"',
    '"\\ud800"',
    '"a\\u001fb"',
    "true",
    "null",
    "{}",
    "[]",
    "[1, [2, [3]]]",
)
"""Raw JSON texts put in place of one value of a record."""

_MARK = "@@hostile@@"


@st.composite
def jsonl_files(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    people = draw(st.lists(personal_values(), min_size=1, max_size=3))
    objs: list[Any] = []
    raws: list[str] = []
    for values in people:
        obj: Any = full_account(values) if draw(st.booleans()) else flat_row(values)
        if draw(st.booleans()):
            path = draw(st.sampled_from(paths(obj)))
            set_path(obj, path, _MARK)
            raws.append(draw(st.sampled_from(HOSTILE_JSON)))
        if draw(st.integers(0, 9)) == 0:
            obj[values["phone"]] = values["email"]  # a personal value as a key
        if draw(st.integers(0, 9)) == 0:
            obj = [obj]  # not an object
        objs.append(obj)
    text = jsonl_bytes(objs).decode("utf-8", "surrogatepass")
    for raw in raws:
        text = text.replace(f'"{_MARK}"', raw, 1)
    data = _apply(
        text.encode("utf-8", "surrogatepass"), draw(mutations), draw(st.integers(0, 2**32))
    )
    return data, [s for v in people for s in v.values()]


@FUZZ
@given(case=jsonl_files())
def test_mutated_jsonl_loads_or_is_refused_without_echoing_a_value(
    case: tuple[bytes, list[str]], folder: Path
) -> None:
    data, secrets = case
    _check(data, folder / "mutated.jsonl", secrets)
