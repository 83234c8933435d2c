"""``notifysdk.plugin`` is the declared plugin API: its names are pinned here, each is
the object of the module it names, and importing it costs nothing at start-up."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import notifysdk.plugin as api

PINNED = """
Account AccountState AccountStateRule AmbiguousDeliveryError Amount Attachment Attempt
BaseChannel Channel ChannelContext ChannelFactory Clock ConfigurationError ConsentBasis
DeliveryError DeliveryUpdate Detector Disclosure Dispatcher DurableLedger EmailContact
FakeClock Finding InvalidEmailError InvalidInputError KINDS KnownValues LateFailure
Ledger Medium Message NaiveDatetimeError Notice NoticeKind NotifyError Outcome
OutcomeStatus Party PermanentDeliveryError Person PhoneContact PhoneNumber PluginError
PostalAddress Profile Receipt ReceiptLedger Recipient ReconcileResult ReconcileStatus
Role Rule RuleContext RunFaultError SDKModel Settings SystemClock TemplateError
TransientDeliveryError Verdict Vote WindowSpec ZoneSpec body_digest configuration_error
hookimpl in_force lazy_exports long_date mask_value money normalize_email
normalize_phone pseudonym record_optin record_optout scope validate_field CallOutcome
Per call_scopes debt_scope optout_scope InvalidPhoneNumberError UnknownLocaleError
write_private TxRunner KindDisclosure Level Webhook WebhookRefusedError WebhookRequest
WebhookResponse ApprovedTemplate DOLLAR_BRACES NUMBERED_BRACES NoApprovedTemplateError
PlaceholderSyntax SegmentCount TemplateMismatchError TemplateParamError count_segments
split_sign OPT_OUT_FRAGMENTS OPT_OUT_WORDS is_opt_out normalize_reply token_guarded
approved_form check_segments find_template
record_call record_call_consent
without_rate_limit RateLimitedError SendsAs unwrap
JsonFormatter metrics_text
attempt_result
AccountEvent AccountEventKind account_events record_account_event EventLedger CancelResult
CreditReportSpec RetentionSpec
signed_as
AsgiAppFactory mounts
NoticeState Poller register_poller
ApprovedTemplateSpec TemplatedSmsChannel TemplatedSmsSettings
Restriction
""".split()  # noqa: SIM905 - one line per name would hide the list


def test_the_exported_names_are_pinned() -> None:
    # Adding a name is a decision (it becomes a promise); removing one breaks plugins.
    assert sorted(api.__all__) == sorted(PINNED)


def test_each_name_is_the_object_of_its_source_module() -> None:
    for source, names in api.EXPORTS.items():
        module = importlib.import_module(f"notifysdk.{source}")
        for name in names:
            assert getattr(api, name) is getattr(module, name), name


def test_the_type_checking_imports_match_the_lazy_table() -> None:
    # mypy reads the TYPE_CHECKING imports, the runtime the table: they must agree.
    tree = ast.parse(Path(api.__file__).read_text(encoding="utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If))
    imported = {
        (node.module, alias.name)
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    table = {(m, n) for m, names in api.EXPORTS.items() for n in names if m != "lazy"}
    assert imported == table


def test_importing_the_api_loads_no_model_and_no_vendor_library() -> None:
    code = (
        "import sys, notifysdk.plugin; "
        "print(sorted(m for m in ('pydantic', 'jinja2', 'babel', 'phonenumbers') "
        "if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_first_party_plugins_import_only_the_plugin_api() -> None:
    root = Path(__file__).resolve().parents[2] / "plugins"
    stray = []
    for path in sorted(root.glob("*/src/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for module in modules:
                if module == "notifysdk" or (
                    module.startswith("notifysdk.") and module != "notifysdk.plugin"
                ):
                    stray.append(f"{path.relative_to(root)}:{node.lineno} {module}")
    assert stray == []
