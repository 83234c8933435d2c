"""The two rules every profile shares: an opted-out destination and the institution's
name (registered by :mod:`notifysdk.builtin.rules`)."""

from __future__ import annotations

from typing import Literal

from ..enums import Role
from ..policy import RuleContext, Vote


class OptedOutDestination:
    """Never send to a contact point whose owner opted out of it."""

    name = "opted-out-destination"
    citation = "Reg F 12 CFR 1006.6(e), 1006.14(h); PIPL Art. 15 (withdrawal of consent)"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "policy"

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Deny when the destination is opted out on record."""
        if ctx.to is None:
            return None
        for contact in ctx.notice.recipient.person.contacts:
            # opted_out first: an address's value is worked out from its parts on each read
            if contact.opted_out and contact.value == ctx.to:
                return Vote.deny(
                    self.name,
                    "*",
                    "the recipient opted out of this contact point",
                    citation=self.citation,
                )
        return None


class InstitutionIdentity:
    """Every message to the debtor states the institution's name."""

    name = "institution-identity"
    citation = "CBA 个人消费类贷款催收工作指引 (2026); Reg F 1006.18(b)(6)"
    profiles = frozenset({"*"})
    stage: Literal["policy", "content"] = "content"

    def evaluate(self, ctx: RuleContext) -> Vote | None:
        """Deny a message to the debtor whose text does not name the institution."""
        msg = ctx.message
        if msg is None or ctx.notice.recipient.role is not Role.DEBTOR:
            return None
        text = f"{msg.subject or ''}\n{msg.body}"
        if ctx.notice.account.institution in text:
            return Vote.allow(self.name)
        return Vote.deny(
            self.name,
            "*",
            "the message does not state the institution's name",
            citation=self.citation,
        )
