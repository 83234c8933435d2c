"""docs/compliance.md stays true to the code (issue 17): its table of enforced rules is
generated from the default profiles, and every rule name the page mentions is one the
SDK registers. After changing a profile, regenerate the table:

    .venv/bin/python tests/compliance/test_credit_report_compliance_doc.py --write
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "compliance.md"
BEGIN = (
    "<!-- BEGIN generated: enforced rules "
    "(tests/compliance/test_credit_report_compliance_doc.py --write) -->"
)
END = "<!-- END generated: enforced rules -->"

RULE_OF = {
    "window": "contact-window",
    "zones": "contact-window",
    "neutral_sender": "(limited-content wording)",
    "caps": "frequency-cap",
    "call_counts": "frequency-cap",
    "quiet": "quiet-period",
    "reachability": "recipient-guard",
    "recipients": "recipient-guard",
    "states": "account-state",
    "required": "required-content",
    "lint": "content-lint",
    "credit_report_prenotice": "credit-report-prenotice",
    "credit_file_retention": "(pre-notice wording)",
    "carrier_sign": "carrier-sign",
    "carrier_optout": "carrier-optout",
    "carrier_links": "carrier-links",
}
"""Which rule reads each ``Profile.params`` key (a key not listed shows ``?``)."""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _set(values: Any) -> str:
    return ", ".join(sorted(str(v) for v in values)) if values else "—"


def _summary(key: str, spec: Any) -> str:
    """The numbers of one spec, in a few words."""
    name = type(spec).__name__
    if name == "WindowSpec":
        return f"{spec.start:%H:%M}–{spec.end:%H:%M} local on {_set(spec.media)}"
    if name == "ZoneSpec":
        return f"zones when none is known: {', '.join(spec.default_zones)}"
    if name == "CapSpec":
        media = _set(spec.reserve_media | spec.check_media)
        line = f", {spec.line} lines" if getattr(spec, "line", "any") != "any" else ""
        return (
            f"`{spec.id}`: at most {spec.limit} `{spec.counter}` per {spec.per} in "
            f"{spec.days} day(s) on {media}{line}"
        )
    if name == "QuietSpec":
        return f"`{spec.id}`: no call within {spec.days} days after a `{spec.counter}`"
    if name == "RecipientSpec":
        return "; ".join(f"{role}: {action}" for role, action in sorted(spec.roles.items()))
    if name == "StateSpec":
        kinds = f", kinds {_set(spec.kinds)}" if spec.kinds is not None else ""
        return f"state `{spec.state}` stops {_set(spec.roles)}{kinds}"
    if name == "Requirement":
        return f"`{spec.id}` on {_set(spec.media)} ({spec.when}); exempt: {_set(spec.exempt_kinds)}"
    if name == "LintSpec":
        return f"categories: {_set(spec.categories)}"
    if name == "CreditReportSpec":
        wait = f"; {spec.wait_days} days after its date" if spec.wait_days else ""
        talk = "; or a telephone conversation on record" if spec.conversation_satisfies else ""
        return f"report step needs a delivered pre-notice{wait}{talk}"
    if name == "RetentionSpec":
        return f"the pre-notice says {spec.years} years"
    if name == "CallCountSpec":
        return f"`{spec.counter}` per {spec.per} counts {_set(spec.outcomes)}"
    if name == "ReachabilitySpec":
        return f"unreachable after {spec.failed_attempts} failed attempts"
    if dataclasses.is_dataclass(spec):
        return name
    return str(spec)


def _items(profile: Any) -> Iterator[tuple[str, Any]]:
    for key, value in profile.params.items():
        if isinstance(value, tuple):
            for item in value:
                yield key, item
        elif value is not None and value != ():
            yield key, value


def enforced_table() -> str:
    """The generated block: one row per profile parameter (and per item of a tuple)."""
    from notifysdk.compliance.profiles import DEFAULT_PROFILES

    lines = [
        "| profile | rule | what | citation | ev. |",
        "|---|---|---|---|---|",
    ]
    for profile in DEFAULT_PROFILES:
        for key, spec in _items(profile):
            citation = getattr(spec, "citation", "") or getattr(spec, "wait_citation", "")
            if type(spec).__name__ == "CreditReportSpec" and spec.wait_citation:
                citation = f"{spec.citation}; {spec.wait_citation}"
            evidence = getattr(spec, "evidence", "") or "—"
            lines.append(
                f"| `{profile.name}` | {RULE_OF.get(key, '?')} | {_cell(_summary(key, spec))} "
                f"| {_cell(citation) or '—'} | {evidence} |"
            )
    return "\n".join(lines)


def _block(text: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip()


def write() -> None:
    """Regenerate the table in docs/compliance.md."""
    text = DOC.read_text("utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(text[:start] + "\n" + enforced_table() + "\n" + text[end:], "utf-8")


def test_the_enforced_table_is_generated_from_the_profiles() -> None:
    assert _block(DOC.read_text("utf-8")) == enforced_table(), (
        "docs/compliance.md is out of date: run "
        ".venv/bin/python tests/compliance/test_credit_report_compliance_doc.py --write"
    )


def test_every_rule_the_page_names_is_registered() -> None:
    from notifysdk.plugins import PluginManager

    registered = set(PluginManager(load_entry_points=False).registry().rules)
    text = DOC.read_text("utf-8")
    named = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)` rule", text))
    assert named, "the page names rules as `name` rule"
    assert named <= registered, sorted(named - registered)


def test_the_page_lists_what_is_not_enforced_with_a_reason() -> None:
    text = DOC.read_text("utf-8")
    section = text[text.index("## Not enforced") :]
    rows = [r for r in section.splitlines() if r.startswith("| ") and not r.startswith("| rule")]
    assert len(rows) >= 8
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) >= 3 and all(cells[:3]), row  # rule, source, reason


def test_the_readme_links_the_page() -> None:
    assert "docs/compliance.md" in (ROOT / "README.md").read_text("utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        print(enforced_table())
