"""Strategies and checks shared by the portfolio and model fuzz tests.

A generated record carries *sensitive values* (phone, email, name, national ID, address,
account and person IDs) drawn so that each is distinctive: no error text of the SDK can
contain one by chance, so finding one in an error means the error echoed the input.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st

from notifysdk.campaign.portfolio import CSV_COLUMNS

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
"""CJK characters for names and addresses: no SDK error text is written in them."""

HOSTILE_TEXT: tuple[str, ...] = (
    "1e28",
    "1E+1000000",
    "-1E+1000000",
    "1E-1000000",
    "9" * 5000,
    "-" + "9" * 5000,
    "0." + "0" * 4000 + "1",
    "NaN",
    "sNaN",
    "-Infinity",
    "inf",
    "1_000",
    "0x10",
    "１２３",  # full-width digits
    "\x00",
    "\x1f",
    "a\x1fb",
    "\r\n",
    "\u202e",
    "\ud800",
    "\ufeff",
    "[" * 3000,
    "{" * 3000,
    '{"a":' * 50 + "1" + "}" * 50,
    "x" * 100_000,
    "",
    " ",
    "null",
    "true",
)
"""Cell texts that broke, or could break, a reader or a model."""


def personal_values() -> st.SearchStrategy[dict[str, str]]:
    """A debtor's distinctive personal values, keyed by CSV column."""
    digits = st.text(alphabet="0123456789", min_size=8, max_size=8)
    cjk = st.text(alphabet=SURNAMES, min_size=3, max_size=4)
    word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=10)
    return st.builds(
        lambda d, name, local, dom, nid, street, acc, per: {
            "phone": f"+86138{d}",
            "debtor_name": name,
            "email": f"{local}.q7@{dom}.example.cn",
            "national_id": f"3101{nid}",
            "address_line1": f"{street}路{d[:3]}号",
            "account_id": f"ACCZ{acc}",
            "debtor_id": f"PZQ{per}",
        },
        digits,
        cjk,
        word,
        word,
        st.text(alphabet="0123456789", min_size=14, max_size=14),
        cjk,
        digits,
        digits,
    )


def flat_row(values: dict[str, str], days: int = 5) -> dict[str, str]:
    """A valid record in the CSV shape around ``values``."""
    row = dict.fromkeys(CSV_COLUMNS, "")
    row.update(
        loan_id="LN-FUZZ-1",
        institution="示例银行",
        currency="CNY",
        principal="5000.00",
        overdue_amount="1250.50",
        penalty_interest="3.20",
        due_date="2025-12-31",
        days_overdue=str(days),
        profiles="cn",
        locale="zh-CN",
        time_zone="Asia/Shanghai",
        country="CN",
        phone_consent="contract",
        phone_opted_out="false",
        email_opted_out="false",
        city="上海",
        postal_code="200000",
        address_country="CN",
    )
    row.update(values)
    return row


def full_account(values: dict[str, str]) -> dict[str, Any]:
    """A valid record in the full :class:`~notifysdk.models.Account` shape."""
    person = {
        "person_id": values["debtor_id"],
        "name": values["debtor_name"],
        "national_id": values["national_id"],
        "locale": "zh-CN",
        "time_zone": "Asia/Shanghai",
        "country": "CN",
        "contacts": [
            {"kind": "phone", "value": values["phone"]},
            {"kind": "email", "value": values["email"]},
            {
                "kind": "address",
                "lines": [values["address_line1"]],
                "city": "上海",
                "country": "CN",
            },
        ],
    }
    return {
        "account_id": values["account_id"],
        "loan_id": "LN-FUZZ-1",
        "institution": "示例银行",
        "currency": "CNY",
        "principal": "5000.00",
        "overdue_amount": "1250.50",
        "due_date": "2025-12-31",
        "days_overdue": 5,
        "debtor": person,
        "parties": [
            {"role": "guarantor", "person": {**person, "person_id": values["debtor_id"] + "G"}}
        ],
        "profiles": ["cn"],
    }


def csv_bytes(rows: Iterable[dict[str, str]], columns: Iterable[str] = CSV_COLUMNS) -> bytes:
    """``rows`` as a UTF-8 CSV file with a header (``columns`` may repeat a column)."""
    names = list(columns)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    writer.writerows([row.get(c, "") for c in names] for row in rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


def jsonl_bytes(objs: Iterable[Any]) -> bytes:
    """``objs`` as JSONL."""
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs).encode(
        "utf-8", "surrogatepass"
    )


def paths(obj: Any, max_depth: int = 8) -> list[tuple[Any, ...]]:
    """The key paths into ``obj`` (dicts and lists), at most ``max_depth`` deep: a
    hostile value put in earlier (a list nested thousands deep) is not walked."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), obj)]
    while stack:
        prefix, cur = stack.pop()
        if len(prefix) >= max_depth:
            continue
        items = cur.items() if isinstance(cur, dict) else enumerate(cur)
        for key, value in items:
            out.append((*prefix, key))
            if isinstance(value, dict | list):
                stack.append(((*prefix, key), value))
    return sorted(out, key=repr)


def get_path(obj: Any, path: tuple[Any, ...]) -> Any:
    """The value at ``path``."""
    for key in path:
        obj = obj[key]
    return obj


def set_path(obj: Any, path: tuple[Any, ...], value: Any) -> None:
    """Put ``value`` at ``path``."""
    get_path(obj, path[:-1])[path[-1]] = value


def leaked(text: str, values: Iterable[str]) -> list[str]:
    """The sensitive values that ``text`` contains."""
    return [v for v in values if v and v in text]
