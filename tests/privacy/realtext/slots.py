"""Slots of the corpus templates: each turns a row's persona into text and says whether
that text must be hidden (with its kind and category) or kept (with its category).

A template writes ``«slot»``; the same slot twice in one template is the same value, and
``«slot2»`` is a second, independent value of the same slot.
"""

from __future__ import annotations

import json
import random
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from stdnum import luhn

from .values import (
    CN_DIGITS,
    DOTS,
    EMAIL_DOMAINS_CN,
    EMAIL_DOMAINS_EN,
    EN_FIRST,
    EN_LAST,
    EN_LENDERS,
    EN_TITLES,
    MONTHS,
    SERVICE_95,
    ZH_LENDERS,
    CnAddress,
    EnAddress,
    Gen,
    cn_number,
    cn_short,
    s10_check,
)


@dataclass(frozen=True)
class Filled:
    """A slot's text and what the corpus says about it (neither: not scored)."""

    text: str
    hide: tuple[str, str] | None = None  # (kind, category)
    keep: str | None = None  # category
    core: str | None = None  # the part that is personal, when not all of text

    @property
    def value(self) -> str:
        """The substring the corpus scores."""
        return self.core if self.core is not None else self.text


_CURRENCY = re.compile(
    r"(?:人民币|¥|￥|US\$|\$|£)?(.+?)\s?(?:元整|元|块钱|块|美元|dollars|bucks|USD|quid|pounds|GBP)?"
)


def money(text: str, category: str) -> Filled:
    """An amount to hide: its figure (with 万 / k) is personal, the currency is not."""
    m = _CURRENCY.fullmatch(text)
    assert m is not None
    return Filled(text, ("amount", category), core=m[1])


@dataclass
class Persona:
    """The account behind one row."""

    surname: str
    given: str
    pinyin: str
    trad: str
    minority: tuple[str, str]
    minority_dot: str
    en_first: str
    en_last: str
    born: date
    mobile: str
    resident_id: str
    cn_addr: CnAddress
    en_addr: EnAddress
    loan: str
    amount: Decimal
    lender: tuple[str, str]
    en_lender: tuple[str, str]
    uk: bool
    email_local: str
    en_email_local: str

    @property
    def cn_full(self) -> str:
        """Surname and given name, simplified."""
        return self.surname + self.given

    @property
    def minority_known(self) -> str:
        """The minority name as registered."""
        return self.minority_dot.join(self.minority)

    @property
    def en_full(self) -> str:
        """First and last name."""
        return f"{self.en_first} {self.en_last}"


def make_persona(g: Gen) -> Persona:
    """A new account."""
    r = g.r
    surname, given, pinyin, trad = g.cn_name(trad_differs=True)
    born = g.dob()
    first, last = r.choice(EN_FIRST), r.choice(EN_LAST)
    amount = (
        Decimal(r.randrange(8, 980) * 100)
        if r.random() < 0.6
        else Decimal(r.randrange(80000, 9800000)) / 100
    )
    local = r.choice(
        [
            pinyin + str(born.year),
            pinyin + r.choice(["", "_", "."]) + g.digits(r.randrange(2, 5)),
            f"{pinyin}{born.month:02d}{born.day:02d}",
            f"{pinyin[:1]}{r.choice(string.ascii_lowercase)}{r.choice(string.ascii_lowercase)}"
            f"{born.year % 100:02d}",
        ]
    )
    clean_last = last.replace("'", "").lower()
    en_local = r.choice(
        [
            f"{first.lower()}.{clean_last}",
            f"{first[0].lower()}{clean_last}{r.randrange(1, 99)}",
            f"{first.lower()}{clean_last[:3]}{born.year % 100:02d}",
            f"{clean_last}.{first[0].lower()}",
        ]
    )
    return Persona(
        surname=surname,
        given=given,
        pinyin=pinyin,
        trad=trad,
        minority=g.minority_name(),
        minority_dot=r.choice(["·", "·", ""]),
        en_first=first,
        en_last=last,
        born=born,
        mobile=g.cn_mobile(),
        resident_id=g.resident_id(born),
        cn_addr=g.cn_address(),
        en_addr=g.en_address(uk=r.random() < 0.5),
        loan=g.loan_id(),
        amount=amount,
        lender=r.choice(ZH_LENDERS),
        en_lender=r.choice(EN_LENDERS),
        uk=r.random() < 0.5,
        email_local=local,
        en_email_local=en_local,
    )


def _money_plain(a: Decimal, r: random.Random) -> str:
    n = int(a)
    forms = [f"{a:.2f}元", f"¥{a:,.2f}", f"人民币{a:,.2f}元", f"{a:,.2f}元"]
    if a == n:
        forms += [f"{n}元", f"¥{n:,}"]
    return r.choice(forms)


def _partial(r: random.Random) -> int:
    return r.choice([r.randrange(3, 60) * 100, r.randrange(1, 20) * 1000, r.randrange(2, 9) * 500])


def _groups(value: str, sep: str, size: int = 4) -> str:
    return sep.join(value[i : i + size] for i in range(0, len(value), size))


class Filler:
    """Fills the slots of one row (``slot_*`` methods, one per slot name)."""

    def __init__(self, g: Gen, p: Persona, lang: str) -> None:
        self.g, self.r, self.p, self.lang = g, g.r, p, lang
        self.cache: dict[str, Filled] = {}
        self.trad_direction = self.r.random() < 0.7  # known simplified, text traditional

    def fill(self, slot: str) -> Filled:
        """The value of ``slot`` (cached: the same slot twice is one value)."""
        if slot not in self.cache:
            base = slot if hasattr(self, "slot_" + slot) else slot.rstrip("0123456789")
            method: Callable[[], Filled] = getattr(self, "slot_" + base)
            self.cache[slot] = method()
        return self.cache[slot]

    def known(self, used: set[str]) -> dict[str, list[str]]:
        """What an operator gives with ``--known`` for this account."""
        p, r = self.p, self.r

        def uses(*prefixes: str) -> bool:
            return any(s.startswith(prefixes) for s in used)

        names: list[str] = []
        if uses("en_name", "en_first", "en_last") or self.lang == "en":
            names.append(p.en_full)
        if uses("min_name"):
            names.append(p.minority_known)
        elif uses("name_trad") and not self.trad_direction:
            names.append(p.trad)
        elif self.lang == "zh" or uses("name", "given"):
            names.append(p.cn_full)
        if r.random() < 0.25:  # the emergency contact is an account value too
            s, given, _, _ = self.g.cn_name()
            names.append(
                s + given if self.lang == "zh" else f"{r.choice(EN_FIRST)} {r.choice(EN_LAST)}"
            )
        en_addr = uses("en_addr") or (self.lang == "en" and not uses("addr"))
        known = {
            "name": names,
            "loan_id": [p.loan],
            "amount": [f"{p.amount:.2f}"],
            "address": [p.en_addr.registered() if en_addr else p.cn_addr.registered()],
        }
        if self.lang == "zh" and r.random() < 0.3:
            known["phone"] = [p.mobile]
        return known

    def hotline(self) -> str:
        """The lender's hotline as its settings give it."""
        return (self.p.en_lender if self.lang == "en" else self.p.lender)[1]

    # --- hide: names -------------------------------------------------------------------
    def slot_name(self) -> Filled:
        return Filled(self.p.cn_full, ("name", "name_verbatim"))

    def slot_given(self) -> Filled:
        return Filled(self.p.given, ("name", "name_given_only"))

    def slot_name_sp(self) -> Filled:
        s, g1, g2 = self.p.surname, self.p.given[0], self.p.given[1]
        forms = [
            f"{s} {g1} {g2}",
            f"{s}  {g1}{g2}",
            f"{s} {g1}{g2}",
            f"{s}{g1} {g2}",
            f"{s}　{g1}{g2}",
            f"{s} {g1}  {g2}",
        ]
        return Filled(self.r.choice(forms), ("name", "name_spaced"))

    def slot_min_name(self) -> Filled:
        a, b = self.p.minority
        dot = self.r.choice([d for d in DOTS if d != self.p.minority_dot])
        return Filled(f"{a}{dot}{b}", ("name", "name_middle_dot"))

    def slot_name_trad(self) -> Filled:
        text = self.p.trad if self.trad_direction else self.p.cn_full
        return Filled(text, ("name", "name_traditional"))

    def slot_name_json(self) -> Filled:
        escaped = json.dumps(self.p.cn_full)[1:-1]
        if self.r.random() < 0.3:  # some encoders write upper-case hex
            escaped = escaped.upper().replace("\\U", "\\u")
        return Filled(escaped, ("name", "name_json_escape"))

    def slot_en_name(self) -> Filled:
        return Filled(self.p.en_full, ("name", "name_verbatim"))

    def slot_en_first(self) -> Filled:
        return Filled(self.p.en_first, ("name", "name_english_parts"))

    def slot_en_last(self) -> Filled:
        last = self.p.en_last.upper() if self.r.random() < 0.15 else self.p.en_last
        return Filled(last, ("name", "name_english_parts"))

    def slot_en_title(self) -> Filled:
        return Filled(self.r.choice(EN_TITLES))

    # --- hide: addresses ---------------------------------------------------------------
    def slot_addr(self) -> Filled:
        return Filled(self.p.cn_addr.registered(), ("address", "address_verbatim"))

    def slot_addr_sep(self) -> Filled:
        a, r = self.p.cn_addr, self.r
        if a.with_floor:
            tail = f"{a.building}{a.bsuffix}{a.unit}-{a.floor}-{a.room}"
        else:
            tail = r.choice(
                [
                    f"{a.building}-{a.unit}-{a.room}",
                    f"{a.building}#{a.unit}-{a.room}",
                    f"{a.building}-{a.unit}-{a.room}室",
                    f"{a.building}栋{a.unit}-{a.room}",
                ]
            )
        head = r.choice([a.compound, a.street + a.compound, a.district + a.street + a.compound])
        return Filled(head + tail, ("address", "address_separators"))

    def slot_addr_cn(self) -> Filled:
        a = self.p.cn_addr
        inner = a.inner(cn=True)
        text = self.r.choice(
            [a.prefix + a.street + inner, a.street + inner, a.district + a.street + inner]
        )
        return Filled(text, ("address", "address_cn_numerals"))

    def slot_addr_noroom(self) -> Filled:
        a = self.p.cn_addr
        inner = a.inner(room_suffix=False)
        text = self.r.choice([a.prefix + a.street + inner, a.city + a.district + a.street + inner])
        return Filled(text, ("address", "address_no_room_suffix"))

    def slot_addr_nopre(self) -> Filled:
        a = self.p.cn_addr
        text = self.r.choice([a.street + a.inner(), a.district + a.street + a.inner(), a.inner()])
        return Filled(text, ("address", "address_no_prefix"))

    def slot_addr_part(self) -> Filled:
        a = self.p.cn_addr
        text = self.r.choice(
            [a.street, a.street, f"{a.compound}{a.building}{a.bsuffix}", a.street + a.compound]
        )
        return Filled(text, ("address", "address_partial"))

    def slot_en_addr(self) -> Filled:
        return Filled(self.p.en_addr.registered(), ("address", "address_verbatim"))

    def slot_en_addr_part(self) -> Filled:
        a = self.p.en_addr
        text = self.r.choice([a.line, a.line, f"{a.line}, {a.town.split(',')[0]}"])
        return Filled(text, ("address", "address_partial"))

    # --- hide: loan and money ----------------------------------------------------------
    def slot_loan(self) -> Filled:
        return Filled(self.p.loan, ("loan_id", "loan_id_verbatim"))

    def slot_amt(self) -> Filled:
        return money(_money_plain(self.p.amount, self.r), "amount_plain")

    def slot_amt_num(self) -> Filled:
        return Filled(f"{self.p.amount:.2f}", ("amount", "amount_plain"))

    def _amount_int(self) -> int:
        a = self.p.amount
        return int(a) if a == int(a) and self.r.random() < 0.5 else _partial(self.r)

    def slot_amt_coll(self) -> Filled:
        r, n = self.r, self._amount_int()
        forms = [f"{n}块", f"{n}块钱", f"{n} 块", f"{n}美元" if r.random() < 0.4 else f"{n}块"]
        if n >= 10000:
            w = f"{n / 10000:.2f}".rstrip("0").rstrip(".")
            forms += [f"{w}万", f"{w}万", f"{w} 万"]
        return money(r.choice(forms), "money_colloquial")

    def slot_amt_cn(self) -> Filled:
        r, n = self.r, self._amount_int()
        forms = [
            f"{cn_number(n, liang=True)}元",
            f"{cn_number(n)}块",
            f"{cn_number(n, capital=True)}元整",
            f"{cn_number(n, liang=True)}块钱",
        ]
        short = cn_short(n)
        if short and n >= 10000:
            forms += [short, short]
        elif short:
            forms.append(f"{short}块")
        return money(r.choice(forms), "money_cn_numerals")

    def _en_money(self, n: Decimal) -> str:
        return f"{'£' if self.p.uk else '$'}{n:,.2f}"

    def slot_en_amt(self) -> Filled:
        return money(self._en_money(self.p.amount / 7), "amount_plain")

    def slot_en_amt_coll(self) -> Filled:
        r = self.r
        n = r.choice([r.randrange(2, 40) * 25, r.randrange(1, 30) * 100])
        forms = [f"{n} dollars", f"{n:,} bucks", f"{n} USD", f"{n:,} dollars"]
        if self.p.uk:
            forms = [f"{n} quid", f"{n} pounds", f"{n:,} GBP", f"{n} quid"]
        if n >= 1000:
            forms.append(f"{n / 1000:g}k")
        return money(r.choice(forms), "money_colloquial")

    # --- hide: phones, ids, cards, accounts ----------------------------------------------
    def slot_mobile(self) -> Filled:
        m = self.p.mobile
        forms = [m, m, m, f"{m[:3]}-{m[3:7]}-{m[7:]}", f"{m[:3]} {m[3:7]} {m[7:]}"]
        return Filled(self.r.choice(forms), ("phone", "cn_mobile"))

    def slot_mobile_sep(self) -> Filled:
        m = self.g.cn_mobile()
        sep = self.r.choice(["  ", "/", "  ", " / ", "/"])
        return Filled(f"{m[:3]}{sep}{m[3:7]}{sep}{m[7:]}", ("phone", "id_card_mobile_separators"))

    def slot_mobile_cn(self) -> Filled:
        m, r = self.g.cn_mobile(), self.r
        digits = [CN_DIGITS[int(d)] for d in m]
        if r.random() < 0.5:
            digits = ["幺" if d == "一" else d for d in digits]
        if r.random() < 0.3:
            digits = ["〇" if d == "零" else d for d in digits]
        text = "".join(digits)
        if r.random() < 0.3:
            text = f"{text[:3]} {text[3:7]} {text[7:]}"
        return Filled(text, ("phone", "mobile_cn_numerals"))

    def slot_id(self) -> Filled:
        return Filled(self.p.resident_id, ("national_id", "cn_resident_id"))

    def slot_id_sep(self) -> Filled:
        v, sep = self.p.resident_id, self.r.choice(["  ", "/", "  "])
        forms = [
            f"{v[:6]}{sep}{v[6:14]}{sep}{v[14:]}",
            f"{v[:6]}{sep}{v[6:10]}{sep}{v[10:14]}{sep}{v[14:]}",
        ]
        return Filled(self.r.choice(forms), ("national_id", "id_card_mobile_separators"))

    def slot_card(self) -> Filled:
        c = self.g.card()
        text = c if self.r.random() < 0.6 else _groups(c, " ")
        return Filled(text, ("card", "card"))

    def slot_card_sep(self) -> Filled:
        c, sep = self.g.card(), self.r.choice(["  ", "/", " / "])
        return Filled(_groups(c, sep), ("card", "id_card_mobile_separators"))

    def slot_ssn(self) -> Filled:
        v = self.g.ssn()
        text = self.r.choice([v, v, v, v.replace("-", " "), v.replace("-", "")])
        return Filled(text, ("national_id", "ssn"))

    def slot_nino(self) -> Filled:
        v = self.g.nino()
        forms = [v, f"{v[:2]} {v[2:4]} {v[4:6]} {v[6:8]} {v[8]}", f"{v[:2]} {v[2:8]} {v[8]}"]
        return Filled(self.r.choice(forms), ("national_id", "uk_nino"))

    def slot_hkid(self) -> Filled:
        p, d, c = self.g.hkid()
        forms = [f"{p}{d}({c})", f"{p}{d}({c})", f"{p}{d} ({c})", f"{p}{d}{c}"]
        return Filled(self.r.choice(forms), ("national_id", "hk_id"))

    def slot_macau(self) -> Filled:
        d = self.g.digits(8, "157")
        forms = [f"{d[:7]}({d[7]})", f"{d[0]}/{d[1:7]}/{d[7]}", f"{d[:7]}({d[7]})"]
        return Filled(self.r.choice(forms), ("national_id", "macau_id"))

    def slot_twid(self) -> Filled:
        return Filled(self.g.taiwan_id(), ("national_id", "taiwan_id"))

    def slot_passport(self) -> Filled:
        g, r = self.g, self.r
        forms = [
            "E" + g.digits(8),
            "E" + r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + g.digits(7),
            "G" + g.digits(8),
            "K" + g.digits(8),
        ]
        return Filled(r.choice(forms), ("national_id", "passport"))

    def slot_passport_en(self) -> Filled:
        g = self.g
        forms = [g.digits(9, "123456789"), "A" + g.digits(8), g.digits(9, "5")]
        return Filled(self.r.choice(forms), ("national_id", "passport"))

    def slot_iban(self) -> Filled:
        v = self.g.iban()
        text = v if self.r.random() < 0.4 else _groups(v, " ")
        return Filled(text, ("bank_account", "iban"))

    def slot_acct(self) -> Filled:
        g, r = self.g, self.r
        v = r.choice([g.digits(19, "6"), g.digits(17, "3"), g.digits(16, "1"), g.digits(20, "4")])
        text = v if r.random() < 0.5 else _groups(v, " ")
        return Filled(text, ("bank_account", "bank_account_context"))

    def slot_acct_en(self) -> Filled:
        g = self.g
        text = g.digits(8, "123456789") if self.p.uk else g.digits(self.r.randrange(10, 13))
        return Filled(text, ("bank_account", "bank_account_context"))

    def slot_sortcode(self) -> Filled:
        g = self.g
        return Filled(f"{g.digits(2, '123456789')}-{g.digits(2)}-{g.digits(2)}")

    def slot_dob(self) -> Filled:
        b = self.p.born
        forms = [
            f"{b.year}年{b.month}月{b.day}日",
            f"{b:%Y-%m-%d}",
            f"{b.year}.{b.month}.{b.day}",
            f"{b:%Y/%m/%d}",
            f"{b:%Y%m%d}",
            f"{b.year}年{b.month:02d}月{b.day:02d}日",
        ]
        return Filled(self.r.choice(forms), ("birth_date", "birth_date_context"))

    def slot_en_dob(self) -> Filled:
        b, month = self.p.born, MONTHS[self.p.born.month - 1]
        forms = [
            f"{b:%m/%d/%Y}",
            f"{b:%d/%m/%Y}",
            f"{b.day} {month} {b.year}",
            f"{month} {b.day}, {b.year}",
            f"{b:%Y-%m-%d}",
            f"{b.day} {month[:3]} {b.year}",
        ]
        return Filled(self.r.choice(forms), ("birth_date", "birth_date_context"))

    def _handle(self, n: int) -> str:
        return "".join(self.r.choice(string.ascii_lowercase + string.digits) for _ in range(n))

    def slot_wechat(self) -> Filled:
        r, p = self.r, self.p
        forms = [
            f"wxid_{self._handle(14)}",
            f"{p.pinyin}{p.born.year % 100:02d}",
            f"{p.pinyin}_{self._handle(3)}",
            f"{p.pinyin[:3].capitalize()}-{self._handle(5)}",
            f"{p.en_first.lower()}{r.randrange(100, 9999)}"
            if self.lang == "en"
            else f"{p.pinyin}{r.randrange(100, 9999)}",
        ]
        return Filled(r.choice(forms), ("im_handle", "im_handle"))

    def slot_qq(self) -> Filled:
        qq = self.g.digits(self.r.randrange(6, 11), "123456789")
        return Filled(qq, ("im_handle", "im_handle"))

    def slot_douyin(self) -> Filled:
        r, p = self.r, self.p
        forms = [
            f"dy{self.g.digits(9)}",
            f"{p.pinyin}.{r.randrange(10, 999)}",
            f"{self._handle(2)}{p.pinyin}{r.randrange(1, 99)}",
        ]
        return Filled(r.choice(forms), ("im_handle", "im_handle"))

    def slot_telegram(self) -> Filled:
        p = self.p
        last = p.en_last.replace("'", "").lower()
        forms = [
            f"{p.en_first.lower()}_{last}",
            f"{p.en_first.lower()}{self.r.randrange(10, 99)}",
            f"{self._handle(3)}_{p.en_first.lower()}",
        ]
        return Filled(self.r.choice(forms), ("im_handle", "im_handle"))

    def slot_line(self) -> Filled:
        p = self.p
        forms = [
            f"{p.pinyin}.{self.r.randrange(10, 99)}",
            f"{p.pinyin}_tw",
            f"{self._handle(2)}{p.pinyin}",
        ]
        return Filled(self.r.choice(forms), ("im_handle", "im_handle"))

    def slot_us10(self) -> Filled:
        return Filled(self.g.us_bare(), ("phone", "phone_us_bare_10"))

    def slot_hk8(self) -> Filled:
        n = self.g.hk_number()
        text = n if self.r.random() < 0.5 else f"{n[:4]} {n[4:]}"
        return Filled(text, ("phone", "phone_hk_no_prefix"))

    def slot_landline(self) -> Filled:
        _, local = self.g.cn_landline()
        forms = [local, f"{local[:4]} {local[4:]}", f"{local[:4]}-{local[4:]}"]
        return Filled(self.r.choice(forms), ("phone", "landline_in_context"))

    def slot_landline_ac(self) -> Filled:
        area, local = self.g.cn_landline()
        forms = [
            f"{area}-{local}",
            f"{area} {local}",
            f"({area}){local}",
            f"{area}-{local[:4]} {local[4:]}",
        ]
        return Filled(self.r.choice(forms), ("phone", "landline_area_code"))

    def slot_intl(self) -> Filled:
        return Filled(self.g.intl_phone(), ("phone", "intl_phone"))

    # --- hide: email -------------------------------------------------------------------
    def _email(self) -> tuple[str, str]:
        if self.lang == "en":
            return self.p.en_email_local, self.r.choice(EMAIL_DOMAINS_EN)
        return self.p.email_local, self.r.choice(EMAIL_DOMAINS_CN)

    def slot_email(self) -> Filled:
        local, domain = self._email()
        return Filled(f"{local}@{domain}", ("email", "email_plain"))

    def slot_en_email(self) -> Filled:
        domain = self.r.choice(EMAIL_DOMAINS_EN)
        return Filled(f"{self.p.en_email_local}@{domain}", ("email", "email_plain"))

    def slot_email_us(self) -> Filled:
        local, domain = self._email()
        lead = self.r.choice(["_", "_", "__"])
        return Filled(f"{lead}{local}@{domain}", ("email", "email_underscore_start"))

    def slot_email_obf(self) -> Filled:
        local, domain = self._email()
        dom, _, tld = domain.partition(".")
        forms = [
            f"{local} at {dom} dot {tld.replace('.', ' dot ')}",
            f"{local}[at]{domain}",
            f"{local}(at){dom}(dot){tld}",
            f"{local}艾特{domain}",
            f"{local} @ {domain}",
            f"{local} AT {dom} DOT {tld.upper()}",
            f"{local}[at]{dom}[dot]{tld}",
            f"{local} @{domain}",
            f"{local}@ {domain}",
        ]
        return Filled(self.r.choice(forms), ("email", "email_obfuscated"))

    # --- keep --------------------------------------------------------------------------
    def slot_order(self) -> Filled:
        g, r = self.g, self.r
        while True:
            d = g.recent_date()
            text = r.choice(
                [
                    g.digits(19, "123"),
                    f"DD{d:%Y%m%d}{g.digits(6)}",
                    f"{g.digits(3)}-{g.digits(7)}-{g.digits(7)}",
                    f"PO-{d.year}-{g.digits(6)}",
                    f"E{d:%Y%m%d}{g.digits(4)}",
                    g.digits(16, "2345"),
                ]
            )
            # a Luhn-valid number with a card prefix is a card to any reader: not an order
            card_like = text.isdigit() and 13 <= len(text) <= 19 and text[0] in "3456"
            if not (card_like and luhn.is_valid(text)):
                return Filled(text, keep="order_number")

    def slot_tracking(self) -> Filled:
        g, r = self.g, self.r
        serial = g.digits(8)
        ups = "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(6))
        forms = [
            "SF" + g.digits(13, "1"),
            "YT" + g.digits(13, "4"),
            "JT" + g.digits(13, "5"),
            f"1Z{ups}03{g.digits(8)}",
            "EA" + serial + s10_check(serial) + "CN",
            "RR" + serial + s10_check(serial) + "GB",
            "JDVA" + g.digits(11),
        ]
        return Filled(r.choice(forms), keep="tracking_number")

    def slot_version(self) -> Filled:
        r = self.r
        a, b, c = r.randrange(1, 12), r.randrange(0, 30), r.randrange(0, 60)
        forms = [
            f"v{a}.{b}.{c}",
            f"{a}.{b}.{c}",
            f"Android {r.randrange(9, 15)}",
            f"iOS {r.randrange(14, 18)}.{r.randrange(0, 7)}.{r.randrange(1, 3)}",
            f"{a}.{b}.{c} (build {r.randrange(1000, 99999)})",
            f"V{a}.{b}",
        ]
        return Filled(r.choice(forms), keep="software_version")

    def slot_ua(self) -> Filled:
        r = self.r
        chrome = f"{r.randrange(100, 125)}.0.{r.randrange(4000, 6400)}.{r.randrange(10, 200)}"
        android = r.randrange(9, 15)
        forms = [
            f"okhttp/{r.randrange(3, 5)}.{r.randrange(0, 13)}.{r.randrange(0, 3)}",
            f"Mozilla/5.0 (Linux; Android {android}) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{chrome} Mobile Safari/537.36",
            f"python-requests/2.{r.randrange(20, 33)}.{r.randrange(0, 4)}",
            f"Dalvik/2.1.0 (Linux; U; Android {android}; M{r.randrange(2010, 2212)}K"
            f"{r.randrange(10, 99)}C)",
            f"curl/8.{r.randrange(0, 9)}.{r.randrange(0, 2)}",
        ]
        return Filled(r.choice(forms), keep="software_version")

    def slot_ip(self) -> Filled:
        r = self.r

        def octet(lo: int = 0) -> int:
            return r.randrange(lo, 256)

        public = r.choice([58, 61, 101, 106, 113, 114, 116, 117, 120, 183, 202, 203, 218, 222])
        forms = [
            f"10.{octet()}.{octet()}.{octet(1)}",
            f"192.168.{octet()}.{octet(1)}",
            f"172.{r.randrange(16, 32)}.{octet()}.{octet(1)}",
            f"{public}.{octet()}.{octet()}.{octet(1)}",
        ]
        return Filled(r.choice(forms), keep="ipv4")

    def slot_msgid(self) -> Filled:
        r, g = self.r, self.g
        host = r.choice(
            [
                "mail.anxin-cf.cn",
                "smtp.hengxin-loan.com",
                "mailer.northbridge.co.uk",
                "mx.summit-fin.com",
            ]
        )
        gmail = "".join(r.choice(string.ascii_letters + string.digits + "+=_") for _ in range(40))
        forms = [
            f"<{self._dt():%Y%m%d%H%M%S}.{g.digits(5)}@{host}>",
            f"<{uuid.UUID(int=r.getrandbits(128), version=4)}@{host}>",
            f"<CA{gmail}@mail.gmail.com>",
            f"<{r.getrandbits(48):x}.{g.digits(4)}.JavaMail.app@{host.split('.', 1)[1]}>",
        ]
        return Filled(r.choice(forms), keep="message_id")

    def _fmt_date(self, d: date) -> str:
        return self.r.choice(
            [
                f"{d:%Y-%m-%d}",
                f"{d.year}年{d.month}月{d.day}日",
                f"{d.month}月{d.day}日",
                f"{d:%Y/%m/%d}",
            ]
        )

    def slot_date(self) -> Filled:
        return Filled(self._fmt_date(self.g.recent_date()), keep="date_not_birth")

    def slot_old_date(self) -> Filled:
        return Filled(self._fmt_date(self.g.old_date()), keep="date_not_birth")

    def slot_en_date(self) -> Filled:
        d = self.g.recent_date()
        month = MONTHS[d.month - 1]
        forms = [
            f"{d:%d/%m/%Y}",
            f"{d:%m/%d/%Y}",
            f"{d.day} {month} {d.year}",
            f"{month} {d.day}, {d.year}",
            f"{d:%Y-%m-%d}",
            f"{d.day} {month[:3]}",
        ]
        return Filled(self.r.choice(forms), keep="date_not_birth")

    def slot_postcode(self) -> Filled:
        head = self.r.choice(["100", "200", "310", "510", "518", "610", "430", "710", "300", "250"])
        return Filled(head + self.g.digits(3), keep="postal_code")

    def slot_en_postcode(self) -> Filled:
        r = self.r
        forms = [
            f"LS1 {r.randrange(1, 10)}AP",
            f"M{r.randrange(1, 9)} {r.randrange(1, 10)}BB",
            f"EC{r.randrange(1, 4)}A {r.randrange(1, 10)}BB",
            self.g.digits(5, "123456789"),
        ]
        return Filled(r.choice(forms), keep="postal_code")

    def slot_svc95(self) -> Filled:
        return Filled(self.r.choice(SERVICE_95), keep="service_number_95")

    def slot_hotline(self) -> Filled:
        h = self.hotline()
        if self.r.random() < 0.2:  # written without its separators
            h = h.replace("-", "") if "-" in h else h.replace(" ", "")
        return Filled(h, keep="lender_hotline")

    def _dt(self) -> datetime:
        d = self.g.recent_date()
        start = datetime(d.year, d.month, d.day)
        return start + timedelta(seconds=self.r.randrange(7 * 3600, 22 * 3600))

    def slot_ts(self) -> Filled:
        t, r = self._dt(), self.r
        forms = [
            f"{t:%Y-%m-%d %H:%M:%S}",
            f"{t:%Y-%m-%dT%H:%M:%S}+08:00",
            f"{t:%Y-%m-%d %H:%M:%S}.{r.randrange(0, 1000):03d}",
            f"{t:%Y/%m/%d %H:%M}",
        ]
        return Filled(r.choice(forms), keep="timestamp")

    def slot_ts_log(self) -> Filled:
        return Filled(f"{self._dt():%d/%b/%Y:%H:%M:%S} +0800", keep="timestamp")

    def slot_ts_rfc(self) -> Filled:
        return Filled(f"{self._dt():%a, %d %b %Y %H:%M:%S} +0800", keep="timestamp")

    def slot_syslog_ts(self) -> Filled:
        t = self._dt()
        return Filled(f"{t:%b} {t.day:2d} {t:%H:%M:%S}", keep="timestamp")

    def slot_epoch(self) -> Filled:
        secs = int(self._dt().timestamp())
        text = str(secs) if self.r.random() < 0.5 else f"{secs}{self.r.randrange(0, 1000):03d}"
        return Filled(text, keep="timestamp")

    def slot_invoice(self) -> Filled:
        g, r = self.g, self.r
        forms = [
            f"INV-{r.randrange(2024, 2027)}-{g.digits(6)}",
            f"FP{g.digits(10)}",
            g.digits(8, "0"),
            f"26{g.digits(18)}",
            g.digits(12, "0"),
        ]
        return Filled(r.choice(forms), keep="invoice_number")

    def slot_num(self) -> Filled:
        n = self.g.digits(self.r.randrange(6, 10), "123456789")
        return Filled(n, keep="qq_like_unlabelled")

    def slot_own_amt(self) -> Filled:
        a = self.p.amount
        forms = [f"{a:,.2f}元", f"¥{a:.2f}", f"{a:.2f}元", f"￥{a:,.2f}"]
        return Filled(self.r.choice(forms), keep="own_amount")

    def slot_en_own_amt(self) -> Filled:
        return Filled(self._en_money(self.p.amount / 7), keep="own_amount")

    # --- not scored --------------------------------------------------------------------
    def slot_surname(self) -> Filled:
        return Filled(self.p.surname)

    def slot_lender(self) -> Filled:
        return Filled((self.p.en_lender if self.lang == "en" else self.p.lender)[0])

    def slot_agent(self) -> Filled:
        return Filled(self.g.digits(4, "1234"))

    def slot_pid(self) -> Filled:
        return Filled(str(self.r.randrange(1000, 32000)))

    def slot_queue(self) -> Filled:
        return Filled("".join(self.r.choice("0123456789ABCDEF") for _ in range(11)))

    def slot_en_month(self) -> Filled:
        return Filled(self.r.choice(MONTHS))


SLOT_NAMES = frozenset(n[5:] for n in dir(Filler) if n.startswith("slot_"))
