"""Known values found however they are written (issue 21): both sides normalised
(spacing, middle dots, width, Traditional characters, JSON escapes, case), names split
into their parts, addresses matched by components; spans always into the original."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifysdk.builtin.privacy_cli import read_known
from notifysdk.models import Account, Party, Person, PhoneContact, PostalAddress, Role
from notifysdk.privacy import KnownValues, Level, Redactor, default_detectors, merge_findings
from notifysdk.privacy.known_match import GIVEN_NAME_DETECTOR, KnownValuesDetector, index_of
from notifysdk.privacy.names import split_chinese_name
from notifysdk.privacy.normalize import normalize

REDACTOR = Redactor(default_detectors())
DETECTOR = KnownValuesDetector()
ADDRESS = "广东省深圳市南山区科技园路88号3栋2单元202室"


def person(name: str, *contacts: PhoneContact | PostalAddress, pid: str = "P1") -> Person:
    return Person(person_id=pid, name=name, contacts=contacts)


def account(debtor: Person, *parties: Person) -> Account:
    return Account(
        account_id="A1",
        loan_id="LN202600000001",
        institution="Example Bank",
        currency="CNY",
        principal=Decimal("5000.00"),
        overdue_amount=Decimal("1234.50"),
        penalty_interest=Decimal("12.30"),
        due_date=date(2026, 1, 1),
        days_overdue=10,
        debtor=debtor,
        parties=tuple(Party(person=p, role=Role.EMERGENCY_CONTACT) for p in parties),
    )


def known_of(*pairs: tuple[str, str]) -> KnownValues:
    return KnownValues.expand(pairs)


def found(text: str, known: KnownValues, kind: str | None = None) -> list[str]:
    """What the known-value detector alone finds, overlaps merged as the redactor merges
    them (the original text of each span)."""
    findings = merge_findings(DETECTOR.find(text, known))
    return [text[f.start : f.end] for f in findings if kind is None or f.kind == kind]


# --- the normaliser -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, needle, original",
    [
        ("客户张 伟来电", "张伟", "张 伟"),
        ("客户张\u3000伟来电", "张伟", "张\u3000伟"),
        ("阿依·古丽来电", "阿依古丽", "阿依·古丽"),
        ("阿依・古丽来电", "阿依古丽", "阿依・古丽"),
        ("阿依•古丽来电", "阿依古丽", "阿依•古丽"),
        ("阿依‧古丽来电", "阿依古丽", "阿依‧古丽"),
        ("客戶張偉說", "张伟", "張偉"),
        ("Ｄｅａｒ ＡＬＥＸ", "alex", "ＡＬＥＸ"),
        ('{"name":"\\u5f35\\u4f1f","x":1}', "张伟", "\\u5f35\\u4f1f"),
        ("Dear ALEX\n\n  Smith,", "alex smith", "ALEX\n\n  Smith"),
        ('{"n":"\\ud83d\\ude00\\u5f20\\u4f1f"}', "😀张伟", "\\ud83d\\ude00\\u5f20\\u4f1f"),
    ],
)
def test_a_span_in_the_normal_form_maps_back_to_what_was_written(
    text: str, needle: str, original: str
) -> None:
    norm = normalize(text)
    at = norm.text.find(needle)
    assert at != -1, norm.text
    start, end = norm.span(at, at + len(needle))
    assert text[start:end] == original


def test_spaces_between_words_that_are_not_cjk_are_kept() -> None:
    assert normalize("Alex Smith 张伟").text == "alex smith 张伟"
    assert normalize("12.5 元").text == "12.5 元"
    assert normalize("A lone \\udc00 surrogate").text == "a lone \\udc00 surrogate"


@given(
    st.lists(
        st.sampled_from(
            ["张", "偉", " ", "  ", "·", ".", "\\u5f20", "\\u4F1F", "A", "b", "\n", "１", "，", "x"]
        ),
        max_size=16,
    )
)
def test_every_normal_form_character_maps_to_its_own_original(parts: list[str]) -> None:
    text = "".join(parts)
    norm = normalize(text)
    last = 0
    for i, ch in enumerate(norm.text):
        start, end = norm.span(i, i + 1)
        assert last <= start < end <= len(text)
        last = end
        if not ch.isspace():
            assert normalize(text[start:end]).text == ch


# --- names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("张伟您好", "张伟"),
        ("借款人张 伟已还款", "张 伟"),
        ("借款人張偉已還款", "張偉"),
        ('{"debtor":"\\u5f20\\u4f1f","x":1}', "\\u5f20\\u4f1f"),
        ("张·伟", "张·伟"),
    ],
)
def test_a_chinese_name_in_every_written_form(text: str, value: str) -> None:
    assert found(text, KnownValues.from_account(account(person("张伟")))) == [value]


def test_a_given_name_alone_is_found_and_a_surname_alone_is_not() -> None:
    known = known_of(("name", "欧阳娜娜"))
    assert found("娜娜说下周还", known) == ["娜娜"]
    assert found("欧阳先生说下周还", known) == []
    assert found("欧阳娜娜说", known) == ["欧阳娜娜"]
    assert REDACTOR.mask("欧阳娜娜说", Level.LOG, known).text == "欧**说"


def test_a_one_character_given_name_only_in_context() -> None:
    known = KnownValues.from_account(account(person("张伟")))
    assert found("这是伟大的一天", known) == []
    assert found("张先生说的", known) == []
    assert found("邻居说小伟出差了", known) == ["小伟"]
    assert found("阿伟说", known) == ["阿伟"]
    assert found("伟哥出差了", known) == ["伟哥"]
    assert found("伟伟在家", known) == ["伟伟"]
    assert {f.detector for f in DETECTOR.find("小伟", known)} == {GIVEN_NAME_DETECTOR}


def test_a_given_name_that_is_an_everyday_word_only_in_context() -> None:
    known = known_of(("name", "李国庆"))
    assert found("国庆假期后再联系", known) == []
    assert found("李国庆说国庆哥在家", known) == ["李国庆", "国庆哥"]


def test_compound_surnames() -> None:
    assert split_chinese_name("欧阳娜娜") == ("欧阳", "娜娜")
    assert split_chinese_name("司马相如") == ("司马", "相如")
    assert split_chinese_name("诸葛亮") == ("诸葛", "亮")
    assert split_chinese_name("张伟") == ("张", "伟")
    assert split_chinese_name("王小明") == ("王", "小明")
    assert split_chinese_name("Alex Smith") is None


def test_a_dotted_minority_name_and_its_parts() -> None:
    known = known_of(("name", "阿依·古丽"))
    assert found("阿依古丽来电", known) == ["阿依古丽"]
    assert found("阿依说", known) == ["阿依"]
    assert found("是古丽接的电话", known) == ["古丽"]
    assert found("阿依 古丽", known)[0] == "阿依 古丽"


def test_latin_names_by_part_case_insensitively_not_inside_words() -> None:
    known = known_of(("name", "Alex Smith"))
    text = "Dear ALEX  SMITH, Smith owes; Smithson and Alexander do not."
    assert found(text, known) == ["ALEX  SMITH", "Smith"]
    assert REDACTOR.mask_for_log(text, known).endswith(
        "S***, S*** owes; Smithson and Alexander do not."
    )


def test_redact_known_file_gets_the_same_expansion_as_the_dispatcher(tmp_path: Path) -> None:
    alex = person("Alex Smith", PhoneContact(value="+8613800138000"))
    from_account = KnownValues.from_account(account(alex))
    path = tmp_path / "known.json"
    path.write_text(
        json.dumps({"name": ["Alex Smith"], "phone": ["+8613800138000"]}), encoding="utf-8"
    )
    from_file = read_known(path)
    for text in ("Smith called from 13800138000", "ALEX again", "鲍勃 Smith"):
        assert found(text, from_file) == found(text, from_account) != []
    assert ("name", "Smith") in from_file.values and ("phone", "13800138000") in from_file.values


# --- addresses ------------------------------------------------------------------------

ZH = known_of(("address", ADDRESS))


@pytest.mark.parametrize(
    "text, value",
    [
        (f"地址：{ADDRESS}。", ADDRESS),
        ("到南山区科技园路88号3栋2单元202室拜访", "南山区科技园路88号3栋2单元202室"),
        ("住深圳南山科技园路88号", "深圳南山科技园路88号"),
        ("在科技园路88号附近", "科技园路88号"),
        ("在科技园路八十八号附近", "科技园路八十八号"),
        ("南山区科技园路附近", "南山区科技园路"),
        ("门牌3栋2单元202，无人", "3栋2单元202"),
        ("上门3-2-202，无人", "3-2-202"),
        ("上门3/2/202，无人", "3/2/202"),
        ("三栋二单元二零二室无人", "三栋二单元二零二室"),
        ("3幢2单元202室无人", "3幢2单元202室"),
        ("3号楼2单元202无人", "3号楼2单元202"),
        ("3栋2单元2层202室无人", "3栋2单元2层202室"),
        ("2单元202室无人", "2单元202室"),
        (
            "廣東省深圳市南山區科技園路88號3棟2單元202室",
            "廣東省深圳市南山區科技園路88號3棟2單元202室",
        ),
        ("南山区 科技园路 88号 3栋", "南山区 科技园路 88号 3栋"),
        ("南山区科技园路８８号", "南山区科技园路８８号"),
    ],
)
def test_a_chinese_address_by_its_components(text: str, value: str) -> None:
    assert found(text, ZH, "address") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "邻居住科技园路90号",  # another number on our road
        "客户在深圳市南山区上班",  # city and district say nothing of where one lives
        "比分3-2，赢了",
        "第一单元的电梯坏了",
        "2026-01-05 10:00 202 items",
        "房间202没人",  # a room number alone
        "科技园路上堵车",  # the road alone
    ],
)
def test_not_our_address(text: str) -> None:
    assert found(text, ZH, "address") == []


def test_a_dashed_number_matches_each_registered_form() -> None:
    for registered in ("南山区科技园路88号3单元2层202室", "南山区科技园路88号3栋2单元202"):
        assert found("上门3-2-202，无人", known_of(("address", registered)), "address") == [
            "3-2-202"
        ]
    unit = known_of(("address", "南山区科技园路88号4单元501室"))
    assert found("四单元501", unit, "address") == ["四单元501"]
    assert found("4单元五零一室", unit, "address") == ["4单元五零一室"]


def test_an_estate_and_a_letter_building() -> None:
    known = known_of(("address", "北京市朝阳区建国路88号阳光花园A座1201"))
    assert found("住阳光花园A座", known, "address") == ["阳光花园A座"]
    assert found("住阳光花园a座1201室", known, "address") == ["阳光花园a座1201室"]
    assert found("A座1201", known, "address") == ["A座1201"]
    assert found("住阳光花园", known, "address") == []


@pytest.mark.parametrize(
    "registered, text, value",
    [
        (
            "北京市朝阳区珞喻路880号绿城桂花园5幢1单元104室",
            "客户更新住址：绿城桂花园5幢1单元104室，原地址已搬离",
            "绿城桂花园5幢1单元104室",
        ),
        (
            "广东省广州市天河区望京街464号翠苑一区12幢2单元1004室",
            "到望京街464号翠苑一区12幢2单元1004，未遇",
            "望京街464号翠苑一区12幢2单元1004",
        ),
        (
            "上海市浦东新区长江路844号康桥半岛10号楼5单元901室",
            "上海市浦东新区长江路844号康桥半岛十号楼五单元901室，拒绝开门",
            "上海市浦东新区长江路844号康桥半岛十号楼五单元901室",
        ),
        (
            "云南省昆明市五华区滨江大道3号梅园新村7号楼3单元2704室",
            "2026/06/01,五华区滨江大道3号梅园新村7#3-2704,未遇",
            "五华区滨江大道3号梅园新村7#3-2704",
        ),
        (
            "云南省昆明市五华区武侯祠大街119号幸福里小区7号楼4单元2层202室",
            "客户已搬至武侯祠大街119号幸福里小区，手机另报",
            "武侯祠大街119号幸福里小区",
        ),
    ],
)
def test_estates_and_districts_named_with_numerals(registered: str, text: str, value: str) -> None:
    assert found(text, known_of(("address", registered)), "address") == [value]


def test_the_dispatcher_reads_a_postal_address_province_first() -> None:
    home = PostalAddress(
        lines=("南山区科技园路88号", "3栋2单元202室"), city="深圳", region="广东", country="CN"
    )
    known = KnownValues.from_account(account(person("张伟", home)))
    assert found("广东深圳市南山区科技园路88号3栋2单元202", known, "address") == [
        "广东深圳市南山区科技园路88号3栋2单元202"
    ]


EN = KnownValues.from_account(
    account(
        person(
            "Alex Smith",
            PostalAddress(
                lines=("Flat 3, 12 Sample Road",),
                city="London",
                postal_code="SW1A 1AA",
                country="GB",
            ),
        )
    )
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("Visited 12 Sample Road today", "12 Sample Road"),
        ("visited 12 sample rd. today", "12 sample rd."),
        ("Flat 3, 12 Sample Road, London SW1A 1AA.", "Flat 3, 12 Sample Road, London SW1A 1AA"),
        ("at 12 Sample Road, Flat 3 again", "12 Sample Road, Flat 3"),
        ("at 3/12 Sample Road again", "3/12 Sample Road"),
        ("at 12 SAMPLE ROAD SW1A 1AA now", "12 SAMPLE ROAD SW1A 1AA"),
        ("moved to 12 Sample Road, London, in May", "12 Sample Road, London"),
    ],
)
def test_an_english_address(text: str, value: str) -> None:
    assert found(text, EN, "address") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "Traffic on Sample Road again",
        "Visited 14 Sample Road",
        "Postcode SW1A 1AA only",
        "Visited 12 Sample Street",
        "Visited 112 Sample Road",
    ],
)
def test_not_our_english_address(text: str) -> None:
    assert found(text, EN, "address") == []


def test_an_american_address_with_the_apartment_after_the_street() -> None:
    known = known_of(("address", "1172 Kings Avenue Apt 23B, Austin, TX 63380"))
    text = "Letter to 1172 Kings Ave Apt 23B, Austin returned"
    assert found(text, known, "address") == ["1172 Kings Ave Apt 23B, Austin"]
    assert found("Letter to 1172 Kings Ave Apt 9A returned", known, "address") == ["1172 Kings Ave"]


def test_a_postcode_far_from_the_street_is_not_part_of_it() -> None:
    text = "12 Sample Road is where he was. Elsewhere, a parcel for SW1A 1AA"
    assert found(text, EN, "address") == ["12 Sample Road"]


# --- masking: spans into the original, the level's rules ------------------------------

SENSITIVE = account(
    person(
        "张伟",
        PostalAddress(lines=(ADDRESS,), city="深圳市", country="CN"),
        PhoneContact(value="+8613800138000"),
    ),
    person("Alex Smith", pid="P2"),
)


@pytest.mark.parametrize(
    "text, masked",
    [
        ("前缀张 伟后缀", "前缀张**后缀"),
        ("前缀張偉后缀", "前缀張**后缀"),
        ("到南山区科技园路88号3栋2单元202室，家中无人", "到****，家中无人"),
        ("上门3-2-202，无人", "上门****，无人"),
        ("Dear ALEX  SMITH, hi", "Dear A*** S***, hi"),
    ],
)
def test_masking_removes_the_value_and_keeps_what_surrounds_it(text: str, masked: str) -> None:
    known = KnownValues.from_account(SENSITIVE)
    assert REDACTOR.mask_for_log(text, known) == masked


def test_a_name_written_in_json_escapes_is_masked_whole() -> None:
    known = KnownValues.from_account(SENSITIVE)
    masked = REDACTOR.mask_for_log('{"name":"\\u5f20\\u4f1f","x":1}', known)
    assert masked.startswith('{"name":"') and masked.endswith('","x":1}')
    assert "u5f20" not in masked and "u4f1f" not in masked


def test_a_third_party_gets_no_debtor_name_and_no_amount() -> None:
    known = KnownValues.from_account(SENSITIVE)
    text = "请转告張 偉，他欠的一千二百三十四元五角要还，本金5000"
    red = REDACTOR.mask(text, Level.NONE, known)
    assert "amount" in {f.kind for f in red.leaks}  # the leak guard blocks the message
    assert "張 偉" not in red.text and "偉" not in red.text
    for value in ("一千二百三十四元五角", "5000"):
        assert value not in red.text
    known_only = Redactor([DETECTOR]).mask(text, Level.NONE, known)
    assert {f.kind for f in known_only.leaks} >= {"amount"}  # even without the money detector


def test_nothing_built_from_known_values_shows_them_in_its_repr() -> None:
    known = KnownValues.from_account(SENSITIVE)
    index = index_of(known.values)
    shown = " ".join(
        repr(x) for x in (index, *index.addresses, *index.needles, normalize("张伟住科技园路88号"))
    )
    for value in (
        "张伟",
        "科技园路",
        "sample",
        "smith",
        "ln2026",
        "Component",
    ):  # no digits: hex ids
        assert value not in shown
