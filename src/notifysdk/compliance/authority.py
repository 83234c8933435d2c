"""False authority: a message that claims to be, or to speak for, a court, procuratorate,
police or government body (issue 17).

CBA 2026 (identity: never pose as a court, police or government body), 12 CFR 1006.18
(false statements) and FCA CONC 7.11 (no false authority) all forbid it. The general
phrase list (:mod:`notifysdk.compliance.phrases`) already blocks words no lender needs
(传票, 公安, "police", "FBI"); the phrases here catch a sender that *presents itself* as
an authority, in Chinese and English:

- self-reference the way a court or bureau writes: 本院, 我院, 本庭, 本局, 本警官;
- a sender name in brackets (【北京市朝阳区人民法院】, [臺北地方法院]) or as a speaker label
  (朝阳区人民法院：), anywhere in the message;
- "this is / we are (from) / on behalf of / officers of" followed by a court,
  prosecutor, police or government body, and the offices only an authority has (Clerk
  of Court, Court Enforcement Office, HMCTS, a county court bailiff, the district
  attorney's office, HMRC, a special agent);
- the names of bodies no lender is (检察官, 经侦, 网警, 司法局, 人民政府, 地检署, 律政司).

What a lawful notice says is left alone: that the lender may go to court (我司可能依法向
人民法院提起诉讼, "we may take legal action": the ``legal_action`` category, blocked only
on a time-barred debt), a debtor's own case (如您已向法院起诉, "if you have a court case
pending"), places and names that contain the words (医院, 法院路, Court Street, food
court), and in the UK a certificated enforcement agent or bailiff: only a claim to be a
court or an officer of the court is false there.

Each phrase belongs to one :class:`AuthorityKind`; :func:`kind_of` also names the kind
of the general list's impersonation phrases, so a finding says which authority it was.
The citations are those of ``COMPLIANCE.md``'s identity, false-statement and
misrepresentation rows.
"""

from __future__ import annotations

from enum import StrEnum

from .phrases import Phrase

__all__ = ["AUTHORITY_CITATION", "AUTHORITY_PHRASES", "AuthorityKind", "citation_for", "kind_of"]


class AuthorityKind(StrEnum):
    """Which kind of authority a message claims to be or to speak for."""

    COURT = "court"
    PROCURATORATE = "procuratorate"
    POLICE = "police"
    GOVERNMENT = "government"


AUTHORITY_CITATION = (
    "CBA 个人消费类贷款催收工作指引 (2026): never pose as a court, police or government "
    "body; 12 CFR 1006.18 (false statements); FCA CONC 7.11 (no false authority)"
)
"""The sources, as ``COMPLIANCE.md`` cites them (CBA 2026 identity row, evidence S;
Regulation F harassment / false statements row, S; CONC misrepresentation row, P)."""


def citation_for(kind: AuthorityKind | str) -> str:
    """The citation of a false claim to be or to speak for ``kind``."""
    return f"false authority ({kind}): {AUTHORITY_CITATION}"


_OPEN = "【\\[〔("
_CLOSE = "】\\]〕)"
"""Brackets around a sender name, as the folded text has them (NFKC turns the full-width
［ and （ into ASCII). Book-title marks (《最高人民法院关于…规定》) name a text, not a
sender."""

_QUOTE_OPEN = '“「『"'
_QUOTE_CLOSE = '”」』"'
"""Quotation marks around a sender name that then speaks (“朝阳区人民法院”提醒您)."""

_NOT_NAME = "向在到于对去被和与及的请可如若已将会需诉至由"
"""Characters that do not occur in the name of a court or bureau but do in a sentence
that mentions one (向法院起诉, 可诉至法院): a run of name characters excludes them, since
the squeezed text has no punctuation to stop at."""

_SPEAKER = r"(?:这里|我|我们|本人)(?:是(?!否)|系)"
"""A speaker presenting itself (这里是…, 我们是…, and the formal 本人系…)."""

_LANDMARK = r"(?!对面|旁|附近|边|东|西|南|北|门口|路|街|巷|大道|站|广场|大院)"
"""Not an address that uses the body as a landmark (法院路, 区政府对面)."""

_ARTICLE = r"(?:(?:the|your|an?) )?"
_FUNCTION = (
    r"(?!(?:not|about|regarding|re|for|of|to|in|on|at|with|your|my|our|a|an|the|that|this"
    r"|from|by|and|or|if|food|basketball|tennis|squash|badminton|volleyball)\b)"
)
_CLAIM = (
    r"\b(?:this is(?! not\b)|this (?:message|text|call|letter|notice) is from"
    r"|this is an? (?:message|text|call|letter|notice|reminder|communication) from"
    r"|(?:we|i) represent|representing"
    r"|(?:we are|we're|i am|i'm)(?! not\b)(?: (?:from|with))?"
    r"|(?:calling|writing|texting|contacting you) from"
    r"|(?:(?:calling|writing|acting|contacting you) )?on behalf of|acting for"
    r"|(?:an? )?(?:officers?|agents?|representatives?) of"
    r"|official (?:notice|message|letter|communication|reminder) from)"
    rf" {_ARTICLE}(?:{_FUNCTION}[a-z']+ ){{0,3}}?"
)
"""An English sender presenting itself: what precedes the authority's name, with at
most three qualifying words that are not function words ("this is the court", "on
behalf of your district court", "this is a message from the court", "we represent the
district court", not "this is a reminder about your court date"; the lint turns each
space into a run of separators)."""

_NOT_A_BODY = (
    r"(?![\W_]*(?:street|st|road|rd|avenue|ave|square|sq|lane|drive|way|yard|house|case"
    r"|date|hearing|judgments?|judgements?|fees?|costs|claims?|action|proceedings|papers"
    r"|documents|approved|appointed|backed|guaranteed|insured|funded|sponsored|program"
    r"|programme|scheme|loans?|relief|benefits?|assistance|support)\b)"
)
"""Not a street or building named after the body, nor a thing the body does or backs
(a court date, a government-backed loan)."""

_LABEL = r"(?:^|[\n.!?;:] ?)"
"""Where an English speaker label starts: the text's start, a new sentence, or after
another label (``Example Bank: HMCTS: …``)."""


def _zh(id: str, pattern: str, *examples: str, folded: bool = False) -> Phrase:
    return Phrase(id, "impersonation", "zh", pattern, examples, folded)


def _en(id: str, pattern: str, *examples: str) -> Phrase:
    return Phrase(id, "impersonation", "en", pattern, examples)


AUTHORITY_PHRASES: tuple[Phrase, ...] = (
    # -- Chinese: court --------------------------------------------------------------
    _zh(
        "zh-court-self",
        r"本院|我院|本庭|我庭|本法院|书记员|审判员|(?:民事|刑事|行政)审判庭|立案庭|执行庭"
        rf"|我是[^{_NOT_NAME}]{{0,6}}法官|本法官",
        "本院提醒您",
        "我院将向您送达",
        "本院書記員",
        "民事审判庭提示",
        "我是主审法官",
    ),
    _zh(
        "zh-court-speaker",
        rf"{_SPEAKER}[^{_NOT_NAME}]{{0,10}}?(?:法院|法庭|仲裁委){_LANDMARK}"
        rf"|受[^{_NOT_NAME}]{{0,10}}(?:法院|法庭|仲裁委)[^{_NOT_NAME}]{{0,2}}委托"
        rf"|代表[^{_NOT_NAME}]{{0,6}}(?:法院|法庭)"
        r"|(?:法院|法庭)的?(?:工作人员|办事员|专员|干警)",
        "这里是海淀区人民法院",
        "受人民法院委托",
        "我们代表法院联系您",
        "我是法院的工作人员",
        "這裡是地方法院",
        "本人系朝阳区人民法院法官",
    ),
    _zh(
        "zh-court-sender",
        rf"[{_OPEN}][^{_CLOSE}{_NOT_NAME}]{{0,20}}?(?:法院|法庭|仲裁委员会|仲裁委|仲裁院)"
        rf"(?:执行局|执行庭|立案庭|审判庭|办公室|通知|提醒|公告)?\s*[{_CLOSE}]"
        rf"|(?:^|[。.,!?;\s—{_CLOSE}-])[^\W\d_a-z{_NOT_NAME}辖理审]{{0,15}}?"
        r"(?:法院|法庭)\s*:"
        rf"|(?:^|[。.,!?;\s—{_CLOSE}-])[{_QUOTE_OPEN}][^{_QUOTE_CLOSE}{_NOT_NAME}]{{0,20}}?"
        r"(?:法院|法庭|仲裁委员会|仲裁委)"
        rf"[^{_QUOTE_CLOSE}{_NOT_NAME}]{{0,6}}[{_QUOTE_CLOSE}]\s*(?:提醒|通知|提示|告知|公告|敬告)",
        "【北京市朝阳区人民法院】您好",
        "“朝阳区人民法院”提醒您",
        "「海淀法院执行局」通知",
        "[臺北地方法院]",
        "请尽快处理。【深圳仲裁委员会】",
        "朝阳区人民法院：您名下的借款",
        "（海淀法院执行局）",
        "【某银行】海淀法院：",
        folded=True,
    ),
    # -- Chinese: procuratorate, police, government ------------------------------------
    _zh(
        "zh-procuratorate-body",
        r"检察(?:机关|官|署|长)|地检署|律政司|廉政公署|廉署|反贪局",
        "区检察机关的工作人员",
        "检察官",
        "地檢署通知",
        "律政司提醒閣下",
    ),
    _zh(
        "zh-police-body",
        r"经侦|网警|警官|警局|警署|巡警|特警|警员|刑侦|调查局|公安分局|员警(?![告惕示醒觉])",
        "经侦大队",
        "本警官提醒您",
        "【网警中心】",
        "中區警署",
        "調查局的員警",
    ),
    _zh(
        "zh-government-body",
        rf"(?:人民|[市省县区镇乡])政府{_LANDMARK}"
        r"|政府(?:办公室|工作人员|通知|公告|提醒|委托)"
        rf"|受[^{_NOT_NAME}]{{0,6}}政府[^{_NOT_NAME}]{{0,2}}委托"
        r"|(?<![基根])本局(?![面限部])|我局|司法(?:局|所|厅|部(?!门))"
        rf"|{_SPEAKER}[^{_NOT_NAME}]{{0,10}}?(?:税务|海关|市场监督管理|市场监管|工商|人力资源和社会保障"
        r"|人社|社保|民政|财政|住建|城管)(?:总局|局|厅|署|机关|部门|所)",
        "【杭州市人民政府】",
        "【臺中市政府】",
        "受政府委托提醒您",
        "本局已掌握",
        "我们是司法局的",
        "我是税务局的工作人员",
        "这里是市场监督管理局",
    ),
    # -- English -----------------------------------------------------------------------
    _en(
        "en-court-self",
        _CLAIM + r"(?:court|tribunal)(?:s|'s)?\b" + _NOT_A_BODY,
        "This is the court",
        "on behalf of the court",
        "We are officers of the court",
        "I am a county court bailiff",
        "this is c0urt services",
        "Official notice from your district court",
        "This is a message from the court",
        "We represent the district court",
    ),
    _en(
        "en-judge-claim",
        _CLAIM + r"(?:judge|justice|magistrate)s?\b"
        r"|\b(?:judge|justice) [a-z]+(?:'s)? chambers\b|\bchambers of (?:the )?(?:judge|justice)\b",
        "This is Judge Brown's chambers",
        "I am a magistrate",
        "the chambers of Judge Brown",
    ),
    _en(
        "en-court-office",
        r"\bcourt (?:enforcement|collections?|services) (?:office|officers?|department|division"
        r"|unit|team|agents?)\b|"
        + _LABEL
        + r"(?:the )?(?:[a-z]+ )?(?:clerk of (?:the )?courts?|hmcts|hm courts(?: (?:and|&))?"
        r" tribunals(?: service)?|(?:county|magistrates'?|district|superior|high|crown)"
        r" court)(?: [a-z']+){0,2}? ?:"
        + r"|"
        + _CLAIM
        + r"(?:clerk of (?:the )?courts?|hmcts|hm courts)\b",
        "Court Enforcement Office",
        "Clerk of Court: your balance",
        "HMCTS: you owe",
        "this is HMCTS",
        "County Court enforcement: pay now",
    ),
    _en(
        "en-procuratorate",
        _CLAIM + r"(?:district attorney|prosecutor|attorney general|state'?s attorney"
        r"|u ?s attorney|united states attorney|procurator fiscal)s?\b"
        r"|\b(?:district attorney|prosecutor|attorney general|state'?s attorney|procurator fiscal"
        r"|da)(?:'?s)? office\b",
        "We are from the district attorney's office",
        "This message is from the county prosecutor",
        "the Attorney General's office",
        "This is the procurator fiscal's office",
    ),
    _en(
        "en-police-claim",
        _CLAIM + r"(?:law enforcement|police|sheriff|marshals?|constabulary)\b"
        r"|\blaw enforcement (?:notice|unit|department|division|officers?)\b"
        r"|\bspecial agents?\b|\bconstabulary\b|\bbadge (?:number|no)\b",
        "Law enforcement notice",
        "Special Agent Miller",
        "we are with law enforcement",
    ),
    _en(
        "en-government-claim",
        _CLAIM + r"(?:(?:federal|state|county|city|local|u ?s|united states|uk|hm|british"
        r"|national) )?government(?:'s)?\b" + _NOT_A_BODY + r"|" + _CLAIM + r"(?:hmrc|hm revenue)\b"
        r"|\bhmrc (?:debt management|enforcement)\b"
        r"|\b(?:treasury|homeland security) (?:department|agents?|officers?)\b"
        r"|" + _CLAIM + r"(?:(?:u ?s|united states|hm) )?(?:department of (?:the )?)?treasury\b"
        r"|\bsocial security administration\b",
        "on behalf of the federal government",
        "We're with the state government's collections unit",
        "HMRC debt management",
        "this is HMRC",
        "This is the U.S. Department of the Treasury",
    ),
)
"""The false-authority phrases (category ``impersonation``)."""

_KINDS: dict[str, AuthorityKind] = {
    "zh-summons": AuthorityKind.COURT,
    "zh-court": AuthorityKind.COURT,
    "zh-police": AuthorityKind.POLICE,
    "zh-procuratorate": AuthorityKind.PROCURATORATE,
    "zh-government": AuthorityKind.GOVERNMENT,
    "en-police": AuthorityKind.POLICE,
    "en-court-summons": AuthorityKind.COURT,
    "en-government": AuthorityKind.GOVERNMENT,
    "zh-court-self": AuthorityKind.COURT,
    "zh-court-speaker": AuthorityKind.COURT,
    "zh-court-sender": AuthorityKind.COURT,
    "zh-procuratorate-body": AuthorityKind.PROCURATORATE,
    "zh-police-body": AuthorityKind.POLICE,
    "zh-government-body": AuthorityKind.GOVERNMENT,
    "en-court-self": AuthorityKind.COURT,
    "en-judge-claim": AuthorityKind.COURT,
    "en-court-office": AuthorityKind.COURT,
    "en-procuratorate": AuthorityKind.PROCURATORATE,
    "en-police-claim": AuthorityKind.POLICE,
    "en-government-claim": AuthorityKind.GOVERNMENT,
}


def kind_of(phrase_id: str) -> AuthorityKind | None:
    """The authority an impersonation phrase claims (``None``: not one, or a phrase such
    as "official legal document" that names no single kind)."""
    return _KINDS.get(phrase_id)
