"""Phone numbers whose shape alone says nothing — bare North American numbers, Hong Kong
numbers without +852, mainland numbers without their area code — found where a phone
label vouches for them; and the numbers of logs and records that are no phone: IPv4
addresses, versions, order, tracking and invoice numbers, time stamps, service numbers,
the lender's hotline, amounts, postal codes (issue 21)."""

from __future__ import annotations

import ipaddress

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifysdk.privacy import Redactor, default_detectors

REDACTOR = Redactor(default_detectors())
HOTLINE = "400-820-8820"


def found(text: str, redactor: Redactor = REDACTOR) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in redactor.find(text)]


def _valid(number: str, region: str) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(number, region))


US = "2025550143"
HK_MOBILE, HK_LANDLINE = "91234567", "23456789"
assert _valid(US, "US") and _valid(HK_MOBILE, "HK") and _valid(HK_LANDLINE, "HK")


@pytest.mark.parametrize(
    "text, value",
    [
        (f"Phone: {US}", US),
        (f"call me at {US}.", US),
        (f"Left voicemail at {US} at 2025/08/20 14:57.", US),
        (f"Wrong party at {US}: does not know the debtor.", US),
        (f"call_end agent=A2352 dialed={US} duration=35s", US),
        (f'{{"first_name":"Gareth","phone":"{US}"}}', US),
        (f"Tel. 1{US} (with the country code)", "1" + US),
        (f"客户美国电话{US}，已留言", US),
    ],
)
def test_bare_north_american_numbers_after_a_phone_label(text: str, value: str) -> None:
    assert found(text) == [("phone", value)]


@pytest.mark.parametrize(
    "text",
    [
        f"ticket {US} closed",  # no label
        f"ts={US}",
        "Phone: 1709800000",  # a Unix time stamp: area code 170 does not exist
        "Phone: 1234567890",
        f"call about order {US}",  # the label is not next to the number
    ],
)
def test_bare_ten_digits_without_a_label_or_invalid_are_left_alone(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text, value",
    [
        (f"香港手机 {HK_MOBILE[:4]} {HK_MOBILE[4:]}", f"{HK_MOBILE[:4]} {HK_MOBILE[4:]}"),
        (f"HK {HK_MOBILE}", HK_MOBILE),
        (f"電話{HK_LANDLINE}，請勿在上班時間致電。", HK_LANDLINE),
        (f"Customer on a landline from Hong Kong, number {HK_LANDLINE}, asked", HK_LANDLINE),
        (f"HK customer, reachable on {HK_MOBILE[:4]} {HK_MOBILE[4:]}; ok", None),
        (f"send failed to {HK_MOBILE[:4]} {HK_MOBILE[4:]} (HK) code=21211", None),
        (f'{{"hk_phone":"{HK_MOBILE}","version":"iOS 16.3.1"}}', HK_MOBILE),
        (f'{{"tel": "{HK_LANDLINE[:4]} {HK_LANDLINE[4:]}", "loan": "HT2024001643A"}}', None),
    ],
)
def test_hong_kong_numbers_without_the_country_code(text: str, value: str | None) -> None:
    kinds = found(text)
    assert [k for k, _ in kinds] == ["phone"]
    if value is not None:
        assert kinds == [("phone", value)]


@pytest.mark.parametrize(
    "text, value",
    [
        ("电话：88881234", "88881234"),
        ("座机 6688 1234", "6688 1234"),
        ("联系方式：8765-4321", "8765-4321"),
        ("家里座机是2345678，晚上打", "2345678"),
        ("Landline: 6688 1234", "6688 1234"),
    ],
)
def test_mainland_numbers_without_the_area_code_after_a_label(text: str, value: str) -> None:
    assert found(text) == [("phone", value)]


def test_every_number_of_a_labelled_list() -> None:
    assert found("电话：88881234、88885678 或 6688 1234") == [
        ("phone", "88881234"),
        ("phone", "88885678"),
        ("phone", "6688 1234"),
    ]


def test_a_csv_column_headed_phone_vouches_for_its_cells() -> None:
    text = "客户,地址,座机\n张三,北京市朝阳区,88881234\n李四,上海市,6688-1234\n"
    assert found(text) == [("phone", "88881234"), ("phone", "6688-1234")]
    text = f"name,dob,phone,balance\nEmily Garcia,1979-04-17,{US},£9,097.87\n"
    assert ("phone", US) in found(text)
    # The same numbers under another header are not phones.
    assert found("客户,地址,工单\n张三,北京市朝阳区,88881234\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "电话 20260307 打过",  # a date, not a number
        "客服电话 95588",  # a 95xxx service number: five digits
        "电话费 88881234元",  # an amount (the money detector's)
        "订单号码 88881234",
        "Hotel 88881234",
        "iPhone 88881234",
        "手机型号 12345678",
        "电话 12345678",  # no mainland local number starts with 1
        "call 3 times, 5 minutes each",
        "邮编 100080，电话待补",
        "phone 88881234.50 paid",
        "case 41305668 flagged; phone not reached",
    ],
)
def test_labelled_lookalikes_are_left_alone(text: str) -> None:
    assert [k for k, _ in found(text) if k == "phone"] == []


@pytest.mark.parametrize(
    "text",
    [
        '192.168.10.23 - - [07/Mar/2026:10:30:00 +0800] "GET /api HTTP/1.1" 200 5123',
        "client 10.0.0.138 connected",
        "远程地址 245.226.153.6，端口 443",
        "client 178.234.51.213:61604 connected",
        "from 183.155.47.202 to 10.0.8.166",
        "Chrome/108.0.4503.79 Mobile Safari/537.36",
        "build 10.0.19045.2965",
        "version 1.2.3.4.5",
        "tracking_no,order_no\nJT5014503861557,E202505273809",
        '{"order":"3981185912792345526","invoice":"015329133431","svc":"95555"}',
        "发票号 015329133431",
        "日期2024-03-15 10:30:00",
        "postcode 100080, 邮编200120",
        "共计 12,345.67 元",
    ],
)
def test_log_and_record_numbers_are_no_phones(text: str) -> None:
    assert [k for k, _ in found(text) if k in ("phone", "card")] == []


def test_the_lenders_hotline_is_public_in_every_form() -> None:
    redactor = Redactor(default_detectors(), public=[HOTLINE])
    for text in (
        f"客服热线{HOTLINE}",
        "客服热线 400 820 8820",
        "热线4008208820",
        "Call our hotline 400-820-8820 any time.",
    ):
        assert found(text, redactor) == [], text
        assert found(text) != [], text  # without the public list it is a number


@given(
    st.ip_addresses(v=4),
    st.sampled_from(
        ["{ip} - - [07/Mar/2026]", "client {ip}:443", "远程地址 {ip}，端口", "from {ip} to host"]
    ),
)
def test_no_ipv4_address_is_a_phone(ip: ipaddress.IPv4Address, template: str) -> None:
    assert found(template.format(ip=ip)) == []


@pytest.mark.parametrize(
    "prefix, value, suffix",
    [
        ("Phone: ", US, ". Left a message."),
        ("香港手机 ", "9123 4567", "，已联系"),
        ("电话：", "88881234", "，晚上打"),
        ("send failed to ", "9123 4567", " (HK) code=21211"),
    ],
)
def test_redaction_round_trip(prefix: str, value: str, suffix: str) -> None:
    red = REDACTOR.mask(prefix + value + suffix, "log")
    assert red.clean
    assert value not in red.text
    assert red.text.startswith(prefix) and red.text.endswith(suffix)
    assert REDACTOR.find(red.text) == []


@given(
    st.lists(
        st.sampled_from(
            [
                "电话：",
                "Phone: ",
                "HK ",
                "(HK)",
                "座机,",
                "\n",
                ",",
                "、",
                "2025550143",
                "88881234",
                "9123 4567",
                "192.168.1.1",
                "10.0.19045.2965",
                "发票",
                "case ",
                "1709800000",
                " ",
                "x",
            ]
        ),
        max_size=12,
    )
)
def test_log_masking_of_phone_like_text_leaves_nothing_detectable(parts: list[str]) -> None:
    masked = REDACTOR.mask_for_log("".join(parts))
    assert REDACTOR.find(masked) == []
