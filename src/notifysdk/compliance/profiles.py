"""The default compliance profiles, as data: ``cn``, ``us-regf``, ``us-ma``, ``us-wa``,
``uk-conc``.

Each number sits next to its citation and evidence mark, copied from
``COMPLIANCE.md`` (P read in the primary text, S secondary sources only, R recalled and
still to check, ``policy`` a lender default with no legal source). A notice runs under
several profiles at once (``us-ma`` is meant to be added on top of ``us-regf``) and the
strictest vote wins. Keys of ``Profile.params``:

``window`` :class:`WindowSpec` · ``zones`` :class:`ZoneSpec` · ``caps`` tuple of
:class:`CapSpec` · ``quiet`` tuple of :class:`QuietSpec` · ``recipients``
:class:`RecipientSpec` · ``states`` tuple of :class:`StateSpec` · ``required`` tuple of
:class:`Requirement` · ``lint`` :class:`LintSpec` · ``call_counts`` tuple of
:class:`CallCountSpec` (which call outcomes each counter counts) · ``reachability``
:class:`ReachabilitySpec` (when the debtor counts as unreachable) ·
``credit_report_prenotice`` :class:`CreditReportSpec` (the report step needs a delivered
pre-notice on record, and a wait where the law sets one; a bare citation string still
means "a pre-notice, no wait") · ``credit_file_retention`` :class:`RetentionSpec` (how
long adverse information is kept, as the pre-notice's wording says) ·
``neutral_sender`` str (who a limited-content variant says it is from, instead of the
lender or its agency: a third party must not learn that a lender wants the debtor;
``None``: the institution's own name).
"""

from __future__ import annotations

from datetime import time

from ..policy import Profile
from .specs import (
    CALL_MEDIA,
    CONTACT_MEDIA,
    CallCountSpec,
    CapSpec,
    CarrierLinks,
    CarrierOptOut,
    CarrierSign,
    CreditReportSpec,
    LintSpec,
    QuietSpec,
    ReachabilitySpec,
    RecipientSpec,
    Requirement,
    RetentionSpec,
    StateSpec,
    WindowSpec,
    ZoneSpec,
)

__all__ = ["CN", "DEFAULT_PROFILES", "UK_CONC", "US_MA", "US_REGF", "US_WA"]

ALL_LINT = frozenset(
    {"violence", "insult", "impersonation", "false_legal", "pressure", "privacy_threat"}
)
LEGAL_THREAT_KINDS = frozenset({"summons_letter", "final_demand"})

NIFA = "NIFA 互联网金融贷后催收业务指引 (2024)"
CN_OPTOUT_WORDING = (
    r"拒收请回复\s*R",
    r"回复?\s*R\s*拒收",
    r"退订回复?\s*(?:T|TD)",
    r"回复?\s*(?:T|TD)\s*退订",
)
"""The carriers' opt-out wordings (拒收请回复R, 退订回T, 回T退订, 回复TD退订…)."""
GBT = "GB/T 45251-2025"
CBA = "CBA 个人消费类贷款催收工作指引 (2026)"

# Call outcomes as profiles count them (values of notifysdk.compliance.scopes.CallOutcome;
# a conversation result such as promise_to_pay counts as connected).
SPOKEN = frozenset({"connected", "refused"})
"""The person called was spoken with."""
REACHED_NUMBER = SPOKEN | {"voicemail", "no_answer", "wrong_party"}
"""The call connected to the dialed number (answered or not)."""
NEVER_CONNECTED = frozenset({"busy", "network_error", "invalid_number"})
"""The call never connected to the dialed number."""
ALL_ROLES = frozenset({"debtor", "guarantor", "attorney", "emergency_contact", "third_party"})
REGF_CONSENT_DAYS = 7
"""12 CFR 1006.14(b)(3)-(4): calls placed within 7 days after the consumer's direct
prior consent are excluded from the call-frequency presumptions."""

CN = Profile(
    name="cn",
    description="China: NIFA 2024, GB/T 45251-2025, CBA 2026, PIPL, 征信业管理条例",
    params={
        "window": WindowSpec(
            start=time(8, 0),
            end=time(22, 0),
            evidence="S",
            citation=f"{NIFA}; {GBT}; {CBA}: no call, visit or message 22:00-08:00 local",
        ),
        "zones": ZoneSpec(("Asia/Shanghai",), "cn: China observes one zone (Asia/Shanghai)"),
        "neutral_sender": "客户服务中心",
        "caps": (
            CapSpec(
                id="cn-connected-calls",
                counter="call.connected",
                per="debtor",
                limit=3,
                days=1,
                evidence="S",
                reserve_media=frozenset({"voice"}),
                check_media=frozenset({"call_script"}),
                citation=f"{NIFA}; {GBT}: at most 3 connected collection calls per debtor per "
                "day, institution and agencies together; AI voice counts",
            ),
            CapSpec(
                id="cn-unanswered-dials",
                counter="call.unanswered",
                per="number",
                limit=6,
                days=1,
                evidence="S",
                check_media=CALL_MEDIA,
                citation=f"{CBA}: at most 6 unanswered dial attempts per number per day",
            ),
        ),
        "call_counts": (
            CallCountSpec(
                "call.connected",
                "debtor",
                SPOKEN,
                f"{NIFA}; {GBT}: at most 3 connected (effective) conversations per debtor per "
                "day: a call in which the debtor was spoken with counts, a refusal too",
            ),
            CallCountSpec(
                "call.unanswered",
                "number",
                frozenset({"no_answer", "voicemail"}) | NEVER_CONNECTED,
                f"{CBA}: at most 6 unanswered dial attempts per contact number per day: every "
                "dial nobody answered counts (busy, network error, not in service too: the "
                "dial was made), whoever the number belongs to",
                roles=ALL_ROLES,
            ),
        ),
        "reachability": ReachabilitySpec(
            failed_attempts=3,
            failures=frozenset({"no_answer", "voicemail", "wrong_party"}) | NEVER_CONNECTED,
            window_days=30,
            connected_within_days=3,
            evidence="S",
            citation=f"{GBT}; {CBA}: emergency contacts only when the debtor cannot be "
            "reached: an invalid number, or 3 consecutive failed attempts (S); attempts "
            "older than 30 days and a conversation in the last 3 days: lender policy",
        ),
        "quiet": (),
        "recipients": RecipientSpec(
            roles={
                "debtor": "full",
                "guarantor": "full",
                "attorney": "full",
                "emergency_contact": "restrict_if_unreachable",
                "third_party": "deny",
            },
            citation=f"{GBT}; {CBA}; 信用卡业务监督管理办法: collect only from the debtor and "
            "guarantor; emergency contacts only when the debtor cannot be reached, "
            "and never told of the debt",
        ),
        "states": (
            StateSpec(
                "deceased",
                f"{GBT}; {CBA}: collect from the estate, not the person",
                roles=frozenset({"debtor"}),
            ),
            StateSpec(
                "attorney",
                "lender policy: the debtor is represented, contact the attorney",
                evidence="policy",
                roles=frozenset({"debtor", "guarantor"}),
            ),
            StateSpec(
                "dispute",
                f"{CBA}: a disputed debt is verified before collection continues",
                evidence="R",
            ),
            StateSpec(
                "bankruptcy",
                "深圳经济特区个人破产条例 (stay of individual collection)",
                evidence="R",
            ),
            StateSpec(
                "cease",
                "个人信息保护法 Art. 15 (withdrawal of consent); lender policy",
                evidence="R",
                roles=frozenset({"debtor", "guarantor"}),
            ),
        ),
        "required": (),
        "lint": LintSpec(
            ALL_LINT,
            f"{CBA} (eight prohibitions; never pose as a court, police or government "
            "body); NIFA 2018 公约; 治安管理处罚法 Art. 42",
        ),
        "credit_report_prenotice": CreditReportSpec(
            citation="征信业管理条例 Art. 15: the information provider tells the borrower "
            "beforehand that adverse information will be reported (no waiting period)",
            evidence="P",
        ),
        "credit_file_retention": RetentionSpec(
            years=5,
            citation="征信业管理条例 Art. 16: adverse information kept 5 years from the day "
            "the adverse act or event ends",
            evidence="P",
        ),
        # China's carriers and SMS providers on the delivered SMS (rules/carrier.py).
        "carrier_sign": CarrierSign(
            evidence="S",
            citation="工信管函〔2023〕794号: every SMS goes out under a sign (签名) "
            "registered in the sender's real name with the carriers (S: providers' and "
            "platforms' notices, the letter itself not read); a sign is 2-16 characters "
            "(S: Huawei Cloud 签名规范); no 【】 in the text, which would pass for the "
            "sign (P: Tencent Cloud SMS 正文模板审核标准, the provider's page)",
        ),
        "carrier_optout": CarrierOptOut(
            patterns=CN_OPTOUT_WORDING,
            kinds=frozenset(),
            evidence="S",
            citation="通信短信息服务管理规定 (工业和信息化部令第31号, 2015): a commercial SMS "
            "(商业性短信息) tells the user with each message a convenient and effective way "
            "to refuse more (S: Xinhua's report of 2015-05-28; the article number, 18 or "
            "19, R); a commercial SMS promotes goods, services or investment (R), which a "
            "collection notice (通知类) does not, so no SDK kind needs it; Alibaba Cloud "
            "SMS 短信模板规范: 推广短信 end with 拒收请回复R and 通知短信 must not carry it "
            "(P: the provider's page)",
        ),
        "carrier_links": CarrierLinks(
            evidence="P",
            citation="Tencent Cloud SMS 正文模板审核标准: a link only to an ICP-filed (备案) "
            "site, fixed in the template, never in a parameter (P: the provider's page); "
            "Alibaba Cloud SMS 短信模板规范: no promotional link in a notification (P: the "
            "provider's page); which domains are registered is the lender's and its "
            "channels' setting (registered_domains)",
        ),
    },
)

_OPT_OUT = Requirement(
    id="opt-out-line",
    media=frozenset({"sms", "email"}),
    evidence="S",
    roles=frozenset({"debtor", "guarantor", "attorney", "emergency_contact", "third_party"}),
    citation="12 CFR 1006.6(e): a clear, simple way to opt out in every email and text",
    patterns={
        "en": ((r"\breply\s+stop\b", r"\bunsubscribe\b", r"\bopt[\s-]?out\b", r"\btext\s+stop\b"),),
        "zh": ((r"退订", r"回复\s*(?:TD|T|STOP)\b"),),
    },
    exempt_kinds=frozenset(),
)

_MINI_MIRANDA_FIRST = Requirement(
    id="mini-miranda-first",
    media=CONTACT_MEDIA | {"letter"},
    when="first",
    evidence="P",
    citation="12 CFR 1006.18(e)(1): the initial communication says the collector is "
    "attempting to collect a debt and information obtained will be used for that "
    "purpose",
    patterns={
        "en": ((r"attempt(?:ing)?\s+to\s+collect\s+a\s+debt",), (r"used\s+for\s+that\s+purpose",)),
        "zh": ((r"催收债务|收回债务|追讨债务",), (r"用于(?:该|此|上述)目的",)),
    },
    # owed in communications with the consumer; the credit-report step goes to a bureau
    exempt_kinds=frozenset({"limited_content", "credit_report"}),
)

_MINI_MIRANDA_LATER = Requirement(
    id="mini-miranda-later",
    media=CONTACT_MEDIA | {"letter"},
    when="later",
    evidence="P",
    citation="12 CFR 1006.18(e)(2): later communications say they are from a debt collector "
    "(the full first-contact wording is accepted too: R)",
    patterns={
        "en": ((r"from\s+a\s+debt\s+collector", r"attempt(?:ing)?\s+to\s+collect\s+a\s+debt"),),
        "zh": ((r"债务催收", r"催收债务"),),
    },
    exempt_kinds=frozenset({"limited_content", "credit_report"}),
)

US_REGF = Profile(
    name="us-regf",
    description="United States federal: Regulation F, 12 CFR part 1006 (FDCPA)",
    params={
        "window": WindowSpec(
            start=time(8, 0),
            end=time(21, 0),
            evidence="P",
            citation="12 CFR 1006.6(b)(1)(i): before 08:00 or after 21:00 at the consumer's "
            "location is inconvenient; unknown location: convenient in every zone",
        ),
        "zones": ZoneSpec(
            (
                "America/New_York",
                "America/Chicago",
                "America/Denver",
                "America/Los_Angeles",
                "America/Anchorage",
                "Pacific/Honolulu",
            ),
            "12 CFR 1006.6(b)(1)(i) commentary: location unknown -> every possible zone",
        ),
        # None: the institution's own name. A made-up name is a false representation
        # (FDCPA 1692e(14): only the true business name); 1006.2(j)(1)(i) wants one
        # that does not indicate debt collection: set it under [profiles.us-regf].
        "neutral_sender": None,
        "caps": (
            CapSpec(
                id="regf-calls-7-in-7",
                counter="call",
                per="debt",
                limit=7,
                days=7,
                evidence="S",
                reserve_media=frozenset({"voice"}),
                check_media=frozenset({"call_script"}),
                citation="12 CFR 1006.14(b)(2)(i): more than 7 calls in 7 consecutive days "
                "per debt is presumed harassment",
                consent_days=REGF_CONSENT_DAYS,
            ),
            CapSpec(
                id="regf-sms-daily-soft-cap",
                counter="msg.sms",
                per="debt",
                limit=3,
                days=1,
                evidence="policy",
                reserve_media=frozenset({"sms"}),
                cited=False,
                citation="12 CFR 1006.14(a) comment 14(a)-1: numerous texts a day over several "
                "days is harassment (lender soft cap, no fixed number)",
            ),
            CapSpec(
                id="regf-email-daily-soft-cap",
                counter="msg.email",
                per="debt",
                limit=3,
                days=1,
                evidence="policy",
                reserve_media=frozenset({"email"}),
                cited=False,
                citation="12 CFR 1006.14(a) comment 14(a)-1 (lender soft cap, no fixed number)",
            ),
        ),
        "quiet": (
            QuietSpec(
                id="regf-after-conversation",
                counter="conversation",
                per="debt",
                days=7,
                evidence="S",
                citation="12 CFR 1006.14(b)(2)(ii): no call within 7 days after a telephone "
                "conversation about the debt (that day is day 1)",
                consent_days=REGF_CONSENT_DAYS,
            ),
        ),
        "call_counts": (
            CallCountSpec(
                "call",
                "debt",
                REACHED_NUMBER,
                "12 CFR 1006.14(b)(2)(i), (b)(3)-(4): placed calls count per debt, answered or "
                "not (voicemails too); excluded are calls that never connect to the dialed "
                "number (busy, network error, not in service) and calls placed within 7 days "
                "after the consumer's direct prior consent",
                excluded=NEVER_CONNECTED,
                consent_days=REGF_CONSENT_DAYS,
            ),
            CallCountSpec(
                "conversation",
                "debt",
                SPOKEN,
                "12 CFR 1006.14(b)(2)(ii): a telephone conversation with the consumer starts "
                "the 7-day quiet period",
            ),
        ),
        "recipients": RecipientSpec(
            roles={
                "debtor": "full",
                "guarantor": "full",
                "attorney": "full",
                "emergency_contact": "location_once",
                "third_party": "location_once",
            },
            citation="12 CFR 1006.6(d)(1); FDCPA 1692c(b): the debt only with the consumer, "
            "their attorney and the creditor; 1006.10: location calls once per person",
            evidence="P",
            variant_media=frozenset({"voice"}),
            restrict_lines=frozenset({"work", "unknown"}),
        ),
        "states": (
            StateSpec(
                "attorney",
                "12 CFR 1006.6(b)(2): represented by an attorney, contact only the attorney",
                evidence="P",
                roles=frozenset({"debtor", "guarantor", "emergency_contact", "third_party"}),
            ),
            StateSpec(
                "cease",
                "12 CFR 1006.6(c): after a refusal or stop request, only the "
                "three permitted notices",
                evidence="P",
                exceptions=frozenset({"termination", "remedy_may", "remedy_will"}),
            ),
            StateSpec(
                "dispute",
                "12 CFR 1006.38(d)(2): a written dispute stops collection until verified",
                evidence="P",
            ),
            StateSpec("bankruptcy", "11 U.S.C. 362(a)(6): the automatic stay", evidence="R"),
            StateSpec(
                "deceased",
                "12 CFR 1006.6(a)(4): only the estate's representative",
                evidence="R",
                roles=frozenset({"debtor"}),
            ),
            StateSpec(
                "time_barred",
                "12 CFR 1006.26(b): never sue or threaten to sue on a time-barred debt",
                evidence="P",
                kinds=LEGAL_THREAT_KINDS,
            ),
        ),
        "required": (_OPT_OUT, _MINI_MIRANDA_FIRST, _MINI_MIRANDA_LATER),
        "lint": LintSpec(
            ALL_LINT,
            "12 CFR 1006.14, 1006.18: no threats, obscenity, false legal claims or false authority",
            time_barred_categories=frozenset({"legal_action"}),
        ),
        "credit_report_prenotice": CreditReportSpec(
            citation="12 CFR 1006.30(a)(1): no furnishing to a consumer reporting agency "
            "before communicating with the consumer about the debt: speaking to them in "
            "person or by telephone, or a letter or electronic message and a reasonable "
            "wait for a notice of undeliverability",
            evidence="P",
            wait_days=14,
            wait_citation="12 CFR 1006.30(a)(1)(ii), comment 30(a)(1)-2: 14 consecutive "
            "days after the date the letter is mailed or the message sent is a reasonable "
            "period",
            conversation_satisfies=True,
        ),
        "credit_file_retention": RetentionSpec(
            years=7,
            citation="FCRA §605(a)(4)-(5), 15 U.S.C. 1681c(a)(4)-(5): accounts placed for "
            "collection or charged off, and other adverse items, are not reported once "
            "more than 7 years old (running from 180 days after the delinquency began, "
            "§605(c)(1))",
            evidence="S",
        ),
    },
)

US_MA = Profile(
    name="us-ma",
    description="Massachusetts, on top of us-regf: 940 CMR 7.04(1)(f)",
    params={
        "caps": (
            CapSpec(
                id="ma-phone-personal-2-in-7",
                counter="phone.personal",
                per="debt",
                limit=2,
                days=7,
                evidence="P",
                reserve_media=frozenset({"sms", "voice"}),
                check_media=frozenset({"call_script"}),
                line="personal",
                citation="940 CMR 7.04(1)(f): at most 2 phone communications (calls, texts, "
                "recorded messages) per 7 days to personal numbers, per debt",
            ),
            CapSpec(
                id="ma-phone-other-2-in-30",
                counter="phone.other",
                per="debt",
                limit=2,
                days=30,
                evidence="P",
                reserve_media=frozenset({"sms", "voice"}),
                check_media=frozenset({"call_script"}),
                line="work",
                citation="940 CMR 7.04(1)(f): at most 2 phone communications per 30 days to "
                "other numbers, per debt",
            ),
        ),
        "call_counts": (
            CallCountSpec(
                "phone.personal",
                "debt",
                SPOKEN | {"voicemail"},
                "940 CMR 7.04(1)(f): a phone communication (a call in which the debtor was "
                "spoken with, a recorded message) to a personal number",
                evidence="P",
                line="personal",
            ),
            CallCountSpec(
                "phone.other",
                "debt",
                SPOKEN | {"voicemail"},
                "940 CMR 7.04(1)(f): a phone communication to any other number (at work)",
                evidence="P",
                line="work",
            ),
        ),
    },
)

US_WA = Profile(
    name="us-wa",
    description="Washington, on top of us-regf: RCW 19.16.250",
    params={
        "window": WindowSpec(
            start=time(7, 30),
            end=time(21, 0),
            evidence="S",
            citation="RCW 19.16.250: none before 07:30 or after 21:00 (Reg F's 08:00 is "
            "stricter and wins)",
        ),
        "caps": (
            CapSpec(
                id="wa-contacts-3-a-week",
                counter="contact",
                per="debtor",
                limit=3,
                days=7,
                evidence="S",
                reserve_media=frozenset({"sms", "email", "voice"}),
                check_media=frozenset({"call_script"}),
                citation="RCW 19.16.250: at most 3 contacts a week with the debtor or spouse",
            ),
            CapSpec(
                id="wa-work-1-a-week",
                counter="contact.work",
                per="debtor",
                limit=1,
                days=7,
                evidence="S",
                reserve_media=frozenset({"sms", "email", "voice"}),
                check_media=frozenset({"call_script"}),
                line="work",
                citation="RCW 19.16.250: at most 1 contact a week at the debtor's work",
            ),
        ),
        "call_counts": (
            CallCountSpec(
                "contact",
                "debtor",
                SPOKEN | {"voicemail"},
                "RCW 19.16.250: a contact with the debtor (spoken with, or a message left)",
            ),
            CallCountSpec(
                "contact.work",
                "debtor",
                SPOKEN | {"voicemail"},
                "RCW 19.16.250: a contact at the debtor's work",
                line="work",
            ),
        ),
    },
)

_PRIVATE = Requirement(
    id="private-and-confidential",
    media=frozenset({"letter"}),
    evidence="P",
    roles=frozenset({"debtor", "guarantor", "attorney", "emergency_contact", "third_party"}),
    citation="FCA CONC 7.9: letters marked private and confidential",
    patterns={
        "en": ((r"private\s*(?:and|&)\s*confidential",),),
        "zh": ((r"私人(?:及|和|与)?保密|私密(?:及|和)?保密|机密",),),
    },
    exempt_kinds=frozenset({"credit_report"}),  # a record for the bureau, not a letter
)

UK_CONC = Profile(
    name="uk-conc",
    description="United Kingdom: FCA CONC 7 (arrears, default and recovery)",
    params={
        "window": WindowSpec(
            start=time(8, 0),
            end=time(21, 0),
            evidence="policy",
            citation="FCA CONC 7.9.4: no contact at unreasonable times (no number given; "
            "08:00-21:00 is the lender default)",
        ),
        "zones": ZoneSpec(("Europe/London",), "uk-conc: Europe/London"),
        "neutral_sender": "Customer Service Center",
        "caps": (),
        "quiet": (),
        "recipients": RecipientSpec(
            roles={
                "debtor": "full",
                "guarantor": "full",
                "attorney": "full",
                "emergency_contact": "restrict",
                "third_party": "restrict",
            },
            citation="FCA CONC 7.9: confirm identity before disclosing; third parties must "
            "not learn of the debt",
            evidence="P",
        ),
        "states": (
            StateSpec(
                "dispute",
                "FCA CONC 7.14.3: suspend recovery while a debt is disputed on valid grounds",
                evidence="R",
            ),
            StateSpec("bankruptcy", "Insolvency Act 1986 s.285 (stay on bankruptcy)", evidence="R"),
            StateSpec(
                "deceased",
                "FCA CONC 7.9 (contact the estate's representative)",
                evidence="R",
                roles=frozenset({"debtor"}),
            ),
            StateSpec(
                "attorney",
                "FCA CONC 7.9: respect requests about how to be contacted",
                evidence="R",
                roles=frozenset({"debtor", "guarantor"}),
            ),
            StateSpec(
                "time_barred",
                "FCA CONC 7.15 (statute-barred debts: no threat of court action)",
                evidence="R",
                kinds=LEGAL_THREAT_KINDS,
            ),
        ),
        "required": (_PRIVATE,),
        "lint": LintSpec(
            ALL_LINT,
            "FCA CONC 7.3 (no pressure), 7.11 (no false authority or threats of action that "
            "cannot or will not be taken)",
            time_barred_categories=frozenset({"legal_action"}),
        ),
        # No UK pre-notice rule is in COMPLIANCE.md; this only sets the wording's number.
        "credit_file_retention": RetentionSpec(
            years=6,
            citation="Principles for the Reporting of Arrears, Arrangements and Defaults at "
            "Credit Reference Agencies (SCOR with the ICO, 2014): a default stays on the "
            "credit file 6 years from the date of default",
            evidence="S",
        ),
    },
)

DEFAULT_PROFILES: tuple[Profile, ...] = (CN, US_REGF, US_MA, US_WA, UK_CONC)
"""The profiles the compliance plugin registers."""
