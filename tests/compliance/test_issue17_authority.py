"""Issue 17 QA: false-authority claims the case list (impersonation/cases.toml) did not
hold, found by trying other wording a sender could use to present itself as a court,
judge, procuratorate or government body; and lawful sentences near them that must stay
clean. Each runs through the linter with every category on, and the claims through a
real dispatch (the content-lint vote names the authority kind)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from notifysdk.clock import FakeClock
from notifysdk.compliance.authority import kind_of
from notifysdk.compliance.lint import Linter
from notifysdk.dispatcher import Dispatcher
from notifysdk.models import OutcomeStatus

from .conftest import notice_for
from .test_impersonation import NOON, FreeText, _account, _text

CLAIMS = [
    # (text, kind, profile)
    ("This is a message from the court about your unpaid balance.", "court", "us-regf"),
    ("This is a notice from the district court: call us today.", "court", "us-regf"),
    ("We represent the district court in the matter of your loan.", "court", "us-regf"),
    ("This is Judge Brown's chambers calling about your debt.", "court", "us-regf"),
    ("This is the U.S. Department of the Treasury about your loan.", "government", "us-regf"),
    ("本人系朝阳区人民法院法官，请尽快还款。", "court", "cn"),
    ("我们系海淀区法院执行庭，请配合处理欠款。", "court", "cn"),
    ("我是税务局的工作人员，您的欠款需要处理。", "government", "cn"),
    ("这里是市场监督管理局，请您尽快还款。", "government", "cn"),
    ("“朝阳区人民法院”提醒您：请于三日内还清欠款。", "court", "cn"),
    ("您好，“北京仲裁委员会”通知您尽快处理欠款。", "court", "cn"),
]

LAWFUL = [
    "Example Bank: this is a message from your lender about your court date.",
    "Example Bank: this is a reminder from your lender; a judge may decide if we go to court.",
    "Example Bank: we represent Example Finance in this matter.",
    "Example Bank: the judge's decision you sent us has been noted.",
    "Example Bank: you may deduct payments to the Treasury from your budget.",
    "如您已向税务局申报收入，请提供证明材料，我们将据此核实还款能力。",
    "本人系借款人的紧急联系人，请勿再打扰。",
    "我司系合法持牌机构，如有争议可诉至法院。",
    "请勿相信冒充“法院”提醒的短信，如有疑问请致电我行。",
    "您在“朝阳区人民法院”的案件如已审结，请提供材料，我们将核实。",
]


@pytest.mark.parametrize(("text", "kind", "profile"), CLAIMS)
def test_the_claim_is_found_and_named(text: str, kind: str, profile: str) -> None:
    found = [f for f in Linter().check(text) if f.category == "impersonation"]
    assert found, text
    assert {kind_of(f.phrase) for f in found} & {kind}, [f.phrase for f in found]


@pytest.mark.parametrize("text", LAWFUL)
def test_lawful_wording_stays_clean(text: str) -> None:
    found = [f for f in Linter().check(text) if f.category == "impersonation"]
    assert found == [], [f.phrase for f in found]


@pytest.fixture
def notifysdk_ledger_url(tmp_path: Path) -> str:
    """The lint does not read the ledger: one durable ledger is enough here."""
    return f"sqlite:///{tmp_path}/ledger.db"


@pytest.fixture
def free(build: Callable[..., Dispatcher], register_plugin: Callable[..., str]) -> Dispatcher:
    register_plugin(FreeText(), "compliance-freetext")
    return build()


@pytest.mark.parametrize(("text", "kind", "profile"), CLAIMS)
async def test_the_claim_is_never_sent(
    free: Dispatcher, fake_clock: FakeClock, text: str, kind: str, profile: str
) -> None:
    case = {"text": text, "profile": profile}
    fake_clock.set(NOON[profile])
    account = _account(profile)
    out = await free.send(notice_for(account, "sms", data={"text": _text(case, account)}))
    assert (out.status, out.rule) == (OutcomeStatus.BLOCKED, "content-lint"), out.reason
    assert f"impersonation ({kind})" in (out.reason or "")
    assert free.channel("sms").sent == []
