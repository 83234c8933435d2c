"""A chunk sent to a --workers process (one text of its cells and their lengths) comes
back as the very records the parent read, whatever the cells hold."""

from __future__ import annotations

import pickle
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.campaign import parallel
from notifysdk.campaign.portfolio import (
    BadRow,
    CsvRecord,
    JsonlRecord,
    RawRecord,
    read_records,
    validate_record,
)
from notifysdk.campaign.synthetic import write_csv

HEADER = ("a", "b", "c")
_CELL = st.text(st.characters(codec="utf-8"), max_size=8) | st.sampled_from(
    ["", " ", "\x00", "\udc80", "王伟", "a,b", '"q"', "\n"]
)
_RECORD = st.one_of(
    st.builds(
        lambda line, cells: CsvRecord(line, HEADER, cells),
        st.integers(1, 10**6),
        st.lists(_CELL, min_size=3, max_size=3),
    ),
    st.builds(JsonlRecord, st.integers(1, 10**6), _CELL),
    st.builds(BadRow, st.integers(1, 10**6), st.just("<row>"), st.just("malformed CSV")),
)


def _records(chunk: list[RawRecord | BadRow]) -> list[object]:
    packed = pickle.loads(pickle.dumps(parallel._pack(chunk)[1]))
    seen: list[object] = []
    with mock.patch.object(parallel, "validate_record", seen.append):  # the records as sent
        out = list(parallel._unpack(packed))
    it = iter(seen)
    return [r if isinstance(r, BadRow) else next(it) for r in out]


@settings(max_examples=300, deadline=None)
@given(st.lists(_RECORD, max_size=12))
def test_a_packed_chunk_gives_back_the_records_in_order(chunk: list[RawRecord | BadRow]) -> None:
    assert _records(chunk) == chunk


def test_a_real_portfolio_chunk_validates_as_read(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    write_csv(path, 300)
    chunk = list(read_records(path))
    rows = list(parallel._unpack(pickle.loads(pickle.dumps(parallel._pack(chunk)[1]))))
    assert rows == [r if isinstance(r, BadRow) else validate_record(r) for r in chunk]
