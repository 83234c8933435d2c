"""What the kill, race and recovery children send: synthetic US notices under the shipped
``us-regf`` profile, the full built-in plugin set (the real compliance rules), and the
fixed clock they run on. Shared by the child scripts and the tests.

The rules are the shipped ones, not test stand-ins: the contact window (08:00-21:00 at
the debtor's location) and the frequency cap ``regf-sms-daily-soft-cap`` (3 SMS per debt
per local day, reserved atomically with the claim), besides the content rules (opt-out
line, mini-Miranda, institution identity). Every notice runs at :data:`NOW`, 10:00 in
New York, inside contact hours, so nothing depends on when the tests run.
"""

from __future__ import annotations

from datetime import UTC, datetime

from notifysdk.clock import FakeClock
from notifysdk.compliance.profiles import US_REGF
from notifysdk.models import Account, Notice
from notifysdk.plugins import DEFAULT_PLUGINS, PluginManager
from notifysdk.testing import sample_account, sample_notice

CHANNEL = "peer-sms"
PROFILE = "us-regf"
NOW = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
"""10:00 in New York on a Monday: inside Reg F's 08:00-21:00 window."""
NIGHT = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)
"""22:00 in New York: outside the window (the next allowed instant is 08:00 local)."""
SMS_CAP = next(c for c in US_REGF.params["caps"] if c.id == "regf-sms-daily-soft-cap")
"""The shipped cap the race test counts against (3 SMS per debt per local day)."""
CAP = SMS_CAP.limit
# The capture plugin records outgoing messages for the CLI's --capture; not needed here.
BUILTINS = tuple(p for p in DEFAULT_PLUGINS if p != "notifysdk.builtin.capture")


def clock(at: datetime = NOW) -> FakeClock:
    """A fake clock at ``at`` (default :data:`NOW`)."""
    return FakeClock(at)


def plugin_manager(*extra: object) -> PluginManager:
    """Every built-in plugin (the real rules and profiles), no entry points, plus ``extra``."""
    pm = PluginManager(load_entry_points=False, builtins=BUILTINS)
    for i, plugin in enumerate(extra):
        pm.register(plugin, f"workload-{i}")
    return pm


def us_account(n: int, *, days_overdue: int = 10, email: str | None = None) -> Account:
    """Debtor ``n``: a New York borrower under ``us-regf`` with a valid US mobile number
    (and an email address when given)."""
    return sample_account(
        n,
        profiles=(PROFILE,),
        days_overdue=days_overdue,
        locale="en-US",
        currency="USD",
        phone=f"+1201555{n % 10000:04d}",
        email=email,
        time_zone="America/New_York",
        country="US",
    )


def kill_notices(debtors: int, per_debtor: int = CAP) -> list[Notice]:
    """``per_debtor`` notices (distinct keys) for each of ``debtors`` debtors: with
    ``per_debtor == CAP`` every debt's daily cap is filled exactly, so one slot leaked by
    a crash (a reservation not freed) would leave a notice deferred, i.e. lost today."""
    return race_notices(debtors, per_debtor)


def race_notices(debtors: int, per_debtor: int) -> list[Notice]:
    """``per_debtor`` distinct notices (distinct keys) for each of ``debtors`` debtors."""
    out = []
    for d in range(1, debtors + 1):
        account = us_account(d)
        out.extend(
            sample_notice(d, channel=CHANNEL, account=account, data={"n": i})
            for i in range(per_debtor)
        )
    return out


def debt_scope(notice: Notice) -> str:
    """The ledger scope the shipped SMS cap counts ``notice`` under."""
    from notifysdk.compliance.rules.frequency import cap_scope

    scope = cap_scope(SMS_CAP.counter, SMS_CAP.per, notice.account, notice.recipient.person, None)
    assert scope is not None
    return scope
