"""The real-text privacy corpus (issue 21): its shape now; its targets once the
detectors land (recall >= 0.97, false masking <= 0.01 on dev and holdout, no name or
amount reaching a third party). Figures per category: ``python -m
tests.privacy.realtext.measure``; the figures before the work are in
``realtext/BASELINE.md``."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest
from realtext import measure as m
from realtext.values import CN_DIGITS, digits_of, is_hkid, is_nino, is_phone, is_taiwan_id
from stdnum import iban, luhn
from stdnum.cn import ric
from stdnum.us import ssn

MIN_ROWS = {"dev": 400, "holdout": 150}
MIN_HIDE_PER_CATEGORY = {"dev": 10, "holdout": 4}
MIN_KEEP_PER_CATEGORY = {"dev": 10, "holdout": 4}
RECALL_TARGET, FALSE_MASK_TARGET = 0.97, 0.01


@cache
def rows(split: str) -> list[m.Row]:
    return m.load(split)


@pytest.mark.parametrize("split", m.SPLITS)
def test_split_is_large_and_covers_every_category(split: str) -> None:
    data = rows(split)
    assert len(data) >= MIN_ROWS[split]
    hide = {c: 0 for c in m.HIDE_CATEGORIES}
    keep = {c: 0 for c in m.KEEP_CATEGORIES}
    for r in data:
        for h in r.hide:
            hide[h.category] += 1
        for k in r.keep:
            keep[k.category] += 1
    thin = [c for c, n in hide.items() if n < MIN_HIDE_PER_CATEGORY[split]]
    thin += [c for c, n in keep.items() if n < MIN_KEEP_PER_CATEGORY[split]]
    assert not thin
    assert sum(keep.values()) >= sum(hide.values())
    assert {r.lang for r in data} == m.LANGS
    assert {r.source for r in data} == m.SOURCES


def test_splits_share_no_id_and_no_text() -> None:
    dev, holdout = rows("dev"), rows("holdout")
    assert not {r.id for r in dev} & {r.id for r in holdout}
    assert not {r.text for r in dev} & {r.text for r in holdout}


def _all_hide() -> list[tuple[m.Row, m.Hide]]:
    return [(r, h) for s in m.SPLITS for r in rows(s) for h in r.hide]


def _from_cn_numerals(value: str) -> str:
    table = {c: str(i) for i, c in enumerate(CN_DIGITS)} | {"幺": "1", "〇": "0"}
    return "".join(table.get(c, "") for c in value)


VALID = {
    "ssn": lambda v: ssn.is_valid(v) or ssn.is_valid(v.replace(" ", "-")),
    "iban": iban.is_valid,
    "card": lambda v: luhn.is_valid(digits_of(v)),
    "cn_resident_id": ric.is_valid,
    "hk_id": is_hkid,
    "taiwan_id": is_taiwan_id,
    "uk_nino": is_nino,
    "cn_mobile": lambda v: is_phone("+86" + digits_of(v), "CN"),
    "phone_us_bare_10": lambda v: re.fullmatch(r"\d{10}", v) and is_phone("+1" + v, "US"),
    "phone_hk_no_prefix": lambda v: is_phone("+852" + digits_of(v), "HK"),
    "intl_phone": lambda v: v.startswith("+") and is_phone(v, "ZZ"),
    "mobile_cn_numerals": lambda v: is_phone("+86" + _from_cn_numerals(v), "CN"),
}
SEPARATED = {
    "card": lambda v: luhn.is_valid(digits_of(v)),
    "national_id": lambda v: ric.is_valid(re.sub(r"[\s/]", "", v)),
    "phone": lambda v: is_phone("+86" + digits_of(v), "CN"),
}


def test_values_are_valid_by_independent_rules() -> None:
    bad = []
    for r, h in _all_hide():
        check = VALID.get(h.category)
        if h.category == "id_card_mobile_separators":
            check = SEPARATED[h.kind]
            if not re.search(r"  |/", h.value):
                bad.append((r.id, h.category, "no double space or slash"))
        if check is not None and not check(h.value):
            bad.append((r.id, h.category, "invalid"))
    assert not bad


NOT_VERBATIM = {
    "name_given_only", "name_spaced", "name_middle_dot", "name_traditional",
    "name_json_escape", "name_english_parts", "address_separators", "address_cn_numerals",
    "address_no_room_suffix", "address_no_prefix", "address_partial",
}  # fmt: skip
VERBATIM = {"name_verbatim": "name", "address_verbatim": "address", "loan_id_verbatim": "loan_id"}


def test_other_forms_are_not_given_verbatim_and_verbatim_ones_are() -> None:
    bad = []
    for r, h in _all_hide():
        known = {v for vs in r.known.values() for v in vs}
        if h.category in NOT_VERBATIM and h.value in known:
            bad.append((r.id, h.category))
        if h.category in VERBATIM and h.value not in r.known.get(VERBATIM[h.category], []):
            bad.append((r.id, h.category))
        if h.kind in ("name", "address") and not r.known.get(h.kind):
            bad.append((r.id, "no known value of the kind"))
    assert not bad


def test_the_hotline_kept_is_the_lenders_public_value() -> None:
    for s in m.SPLITS:
        for r in rows(s):
            for k in r.keep:
                if k.category == "lender_hotline":
                    assert digits_of(k.value) == digits_of(r.public[0]), r.id


def _row(**over: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": "t-1", "lang": "zh", "source": "call_note", "text": "客户张伟，订单E2026031500001",
        "known": {"name": ["张伟"]}, "public": ["400-820-3366"],
        "hide": [{"value": "张伟", "kind": "name", "category": "name_verbatim"}],
        "keep": [{"value": "E2026031500001", "category": "order_number"}],
    }  # fmt: skip
    doc.update(over)
    return doc


def test_the_loader_accepts_a_good_row() -> None:
    row = m.parse_row(_row(), "t")
    assert row.hide[0].value == "张伟" and row.role == "debtor" and row.channel == "log"


@pytest.mark.parametrize(
    "over",
    [
        {"hide": [{"value": "李娜", "kind": "name", "category": "name_verbatim"}]},
        {"keep": [{"value": "伟，订", "category": "order_number"}]},
        {"keep": [{"value": "E2026031500001", "category": "no_such_category"}]},
        {"hide": [{"value": "张伟", "kind": "nickname", "category": "name_verbatim"}]},
        {"source": "fax"},
        {"public": ["400-820-3366", "95588"]},
        {"known": {"name": "张伟"}},
        {"hide": [], "keep": []},
        {"extra": 1},
    ],
    ids=["not-in-text", "keep-overlaps-hide", "category", "kind", "source", "public",
         "known", "empty", "field"],
)  # fmt: skip
def test_the_loader_refuses_a_bad_row_without_echoing_values(over: dict[str, object]) -> None:
    with pytest.raises(m.CorpusError) as err:
        m.parse_row(_row(**over), "t")
    assert "张伟" not in str(err.value) and "李娜" not in str(err.value)


def test_scoring_counts_a_partly_masked_value_as_a_miss() -> None:
    text = "张伟 13800138000"
    report = {
        "findings": [
            {"span": [0, 1], "masked": "*", "kind": "name"},
            {"span": [3, 14], "masked": "138****8000", "kind": "phone"},
        ]
    }
    spans = m.masked_spans(text, report)
    assert not m.covered((0, 2), spans)  # only 张 is masked
    assert m.covered((3, 14), spans)
    unmasked = {"findings": [{"span": [0, 2], "masked": "张伟", "kind": "name"}]}
    assert m.masked_spans(text, unmasked) == []  # a finding shown as is hides nothing


# --- targets -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scores() -> dict[str, m.Score]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NOTIFYSDK_LOAD_PLUGINS", "")
        return {s: m.measure(rows(s)) for s in m.SPLITS}


@pytest.mark.parametrize("split", m.SPLITS)
def test_recall_target(scores: dict[str, m.Score], split: str) -> None:
    recall = scores[split].recall
    assert recall >= RECALL_TARGET, f"{split} recall {recall:.3f}"


@pytest.mark.parametrize("split", m.SPLITS)
def test_false_masking_target(scores: dict[str, m.Score], split: str) -> None:
    rate = scores[split].false_masking
    assert rate <= FALSE_MASK_TARGET, f"{split} false masking {rate:.3f}"


@pytest.mark.parametrize("split", m.SPLITS)
def test_no_name_or_amount_reaches_a_third_party(scores: dict[str, m.Score], split: str) -> None:
    n = scores[split].violating_rows
    assert n == 0, f"{split}: {n} rows carry a name or amount to an emergency contact"


def test_the_report_shows_figures_only(scores: dict[str, m.Score]) -> None:
    text = "\n".join(m.table(scores)) + json.dumps({s: sc.as_dict() for s, sc in scores.items()})
    for s in m.SPLITS:
        for r in rows(s):
            for h in r.hide:
                if len(h.value) >= 6 and not re.fullmatch(r"[\d.]+", h.value):
                    assert h.value not in text, r.id
