"""The credit-report pre-notice says how long adverse information is kept by the
borrower's jurisdiction, not by language (issue 17): cn 5 years (征信业管理条例 Art. 16),
us-regf 7 years (FCRA §605), uk-conc 6 years (the SCOR/ICO principles), and no number
where no profile states one. The number in each rendered text is the profile's own
``credit_file_retention`` (one source of truth, held here)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from notifysdk.compliance.profiles import CN, DEFAULT_PROFILES, UK_CONC, US_REGF
from notifysdk.compliance.specs import RetentionSpec
from notifysdk.models import NoticeKind
from notifysdk.plugins import PluginManager
from notifysdk.policy import Profile
from notifysdk.templating import TemplateRenderer, notice_context
from notifysdk.testing import sample_account, sample_notice

KIND = "credit_report_prenotice"
NOW = datetime(2026, 1, 5, 4, tzinfo=UTC)
MEDIA = ("email", "letter")
LOCALES = ("en", "zh-CN")
# How each language writes "N years" in the retention sentence.
YEARS = {"en": re.compile(r"(\d+) years"), "zh-CN": re.compile(r"(?<![0-9])([0-9]{1,2})年")}


@pytest.fixture
def renderer(monkeypatch: pytest.MonkeyPatch) -> TemplateRenderer:
    """The shipped templates with every installed plugin's filters (the letters use the
    visitletter plugin's ``repayment_plans``)."""
    monkeypatch.delenv("NOTIFYSDK_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("NOTIFYSDK_DISABLE_PLUGINS", raising=False)
    registry = PluginManager().registry()
    return TemplateRenderer(list(registry.template_dirs), registry.filters)


def render(renderer: TemplateRenderer, profiles: tuple[str, ...], medium: str, locale: str) -> str:
    account = sample_account(
        profiles=profiles,
        locale=locale,
        currency="CNY" if locale == "zh-CN" else "USD",
    )
    notice = sample_notice(account=account, kind=NoticeKind.CREDIT_REPORT_PRENOTICE)
    return renderer.render(KIND, medium, locale, notice_context(notice, now=NOW)).body


def retention(profile_params: dict[str, object]) -> int:
    spec = profile_params["credit_file_retention"]
    assert isinstance(spec, RetentionSpec)
    return spec.years


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("profile", "expected"),
    [(CN, 5), (US_REGF, 7), (UK_CONC, 6)],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_the_number_is_the_profiles(
    renderer: TemplateRenderer, profile: Profile, expected: int, medium: str, locale: str
) -> None:
    assert retention(dict(profile.params)) == expected
    text = render(renderer, (profile.name,), medium, locale)
    assert YEARS[locale].findall(text) == [str(expected)], text


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("locale", LOCALES)
def test_citations_follow_the_jurisdiction(
    renderer: TemplateRenderer, medium: str, locale: str
) -> None:
    us = render(renderer, ("us-regf",), medium, locale)
    cn = render(renderer, ("cn",), medium, locale)
    fcra = "Fair Credit Reporting Act" if locale == "en" else "公平信用报告法"
    china = "Article 16" if locale == "en" else "第十六条"
    assert fcra in us and china not in us and "征信业管理条例" not in us
    assert china in cn and fcra not in cn


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("locale", LOCALES)
def test_no_profile_with_a_number_gets_no_number(
    renderer: TemplateRenderer, medium: str, locale: str
) -> None:
    # us-ma on its own states no retention: a neutral sentence without a number.
    assert "credit_file_retention" not in dict(
        next(p for p in DEFAULT_PROFILES if p.name == "us-ma").params
    )
    text = render(renderer, ("us-ma",), medium, locale)
    assert YEARS[locale].findall(text) == []
    assert ("credit bureau" if locale == "en" else "征信机构") in text


def test_a_us_debtor_writing_chinese_is_told_the_us_number(renderer: TemplateRenderer) -> None:
    text = render(renderer, ("us-regf",), "email", "zh-CN")
    assert "7年" in text and "5年" not in text


def test_the_cn_wording_still_cites_article_15_for_the_advance_notice(
    renderer: TemplateRenderer,
) -> None:
    assert "第十五条" in render(renderer, ("cn",), "email", "zh-CN")
    assert "第十五条" not in render(renderer, ("us-regf",), "email", "zh-CN")


def test_every_retention_spec_is_cited() -> None:
    for profile in DEFAULT_PROFILES:
        spec = profile.params.get("credit_file_retention")
        if spec is not None:
            assert isinstance(spec, RetentionSpec)
            assert spec.citation and spec.evidence in ("P", "S", "R", "policy")
