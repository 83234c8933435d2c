"""Prohibited phrases for the content lint, in Chinese and English.

Each phrase is a regular expression with the examples it must catch (its obvious
variants: inflections, spacing and punctuation inside the phrase, full-width and
traditional characters, common letter substitutions). Chinese patterns are matched on
the text with every separator removed; in English patterns a space stands for any run
of separators. Categories:

- ``violence``: threats of violence or harm to the person or family (CBA 2026; 12 CFR
  1006.14(b)(1); 治安管理处罚法 Art. 42)
- ``insult``: insults and obscenity (CBA 2026; 12 CFR 1006.14(c))
- ``impersonation``: posing as a court, police or government (CBA 2026; 12 CFR
  1006.18(b)(1); CONC 7.11); the phrases for a sender presenting itself as one are in
  :mod:`notifysdk.compliance.authority`
- ``false_legal``: false claims of arrest, jail, criminal charges or seizure (12 CFR
  1006.18(c)(4); CONC 7.11)
- ``pressure``: pressure to borrow, sell property or pay at once (CONC 7.3)
- ``privacy_threat``: threats to expose the debt to employers, contacts or the public
  (PIPL; 12 CFR 1006.6(d); CBA 2026)
- ``legal_action``: threats to sue; lawful in general, prohibited on a time-barred debt
  (12 CFR 1006.26(b); CONC 7.15)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["PHRASES", "Phrase"]


@dataclass(frozen=True)
class Phrase:
    """One prohibited phrase: an id, its category, language, pattern and test examples."""

    id: str
    category: str
    lang: Literal["zh", "en"]
    pattern: str
    examples: tuple[str, ...]
    folded: bool = False
    """For a Chinese phrase that needs the text's punctuation (a sender name in brackets,
    a speaker label): matched on the folded text, as English phrases are, instead of the
    copy with every separator removed."""


def _zh(id: str, category: str, pattern: str, *examples: str) -> Phrase:
    return Phrase(id, category, "zh", pattern, examples)


def _en(id: str, category: str, pattern: str, *examples: str) -> Phrase:
    return Phrase(id, category, "en", pattern, examples)


PHRASES: tuple[Phrase, ...] = (
    # -- Chinese ---------------------------------------------------------------------
    _zh(
        "zh-break-legs",
        "violence",
        r"打断.{0,2}(?:腿|手|胳膊)",
        "打断你的腿",
        "打 断 他 的 腿",
        "打斷你的腿",
    ),
    _zh(
        "zh-kill",
        "violence",
        r"(?:弄|整|搞|打|砍)死(?:你|他|她)|杀了?(?:你|他|她)",
        "弄死你",
        "杀了你",
        "殺你",
    ),
    _zh(
        "zh-whole-family",
        "violence",
        r"(?:杀|砍|弄|收拾).{0,3}全家|全家.{0,3}(?:遭殃|倒霉|不得安宁)",
        "杀你全家",
        "让你全家不得安宁",
    ),
    _zh(
        "zh-family-safety",
        "violence",
        r"小心(?:你|您)?的?(?:家人|孩子|小孩|老婆|老公|父母|家里人)",
        "小心你的家人",
        "小心孩子",
    ),
    _zh(
        "zh-consequences",
        "violence",
        r"后果自负|让你好看|[走等][着著]瞧",
        "后果自负",
        "後果自負",
        "你等着瞧",
        "走著瞧",
    ),
    _zh("zh-door-beat", "violence", r"上门.{0,3}(?:打|揍|砸|收拾)", "上门打你", "上门把你收拾了"),
    _zh("zh-paint", "violence", r"泼(?:红)?油漆|砸(?:你)?(?:家|门|车)", "泼油漆", "砸你家"),
    _zh("zh-blood", "violence", r"见血|放血|卸你", "让你见血"),
    _zh("zh-cant-go-out", "violence", r"出不了门|活不下去|不得好死", "让你出不了门", "不得好死"),
    _zh("zh-deadbeat", "insult", r"老赖", "老赖", "老 赖"),
    _zh("zh-cheat", "insult", r"骗子|诈骗犯", "骗子", "騙子"),
    _zh("zh-shameless", "insult", r"不要脸|没脸没皮|厚颜无耻", "不要脸", "不 要 脸"),
    _zh("zh-go-die", "insult", r"去死|死全家|该死", "你去死吧", "死全家"),
    _zh("zh-trash", "insult", r"废物|人渣|垃圾人|败类", "废物", "人渣", "廢物"),
    _zh("zh-beast", "insult", r"畜[生牲]|王八|狗东西|猪狗不如", "畜生", "畜牲", "王八蛋"),
    _zh(
        "zh-obscene",
        "insult",
        r"[他你尼]妈的?|操你|草你|傻[逼比屄bB]|煞笔|(?<![a-z])sb(?![a-z])",
        "他妈的",
        "傻逼",
        "操 你",
        "SB",
    ),
    _zh("zh-slut", "insult", r"贱(?:人|货|种)|婊子", "贱人", "賤貨"),
    _zh("zh-summons", "impersonation", r"(?:法院)?传票", "法院传票", "傳票"),
    _zh(
        "zh-police",
        "impersonation",
        r"公安(?:局|机关)?|警方|警察|派出所|民警|刑警",
        "公安局",
        "警方已介入",
        "派 出 所",
    ),
    _zh(
        "zh-court",
        "impersonation",
        r"(?:人民)?法院.{0,4}(?:执行|通知|判决|裁定|冻结|强制)|执行局",
        "法院强制执行通知",
        "执行局",
    ),
    _zh("zh-procuratorate", "impersonation", r"检察院|纪委|监察委", "检察院", "檢察院"),
    _zh(
        "zh-government", "impersonation", r"政府(?:部门|机关)|国家机关|公检法", "政府部门", "公检法"
    ),
    _zh("zh-jail", "false_legal", r"坐牢|判刑|蹲监狱|进监狱|吃牢饭", "坐牢", "让你坐 牢", "判刑"),
    _zh("zh-detain", "false_legal", r"拘留|逮捕|抓捕|抓(?:你|人)", "拘留", "逮捕你", "抓你"),
    _zh(
        "zh-criminal",
        "false_legal",
        r"刑事|立案|涉嫌.{0,4}罪|诈骗罪|恶意透支|犯罪",
        "刑事责任",
        "已立案",
        "涉嫌诈骗罪",
    ),
    _zh(
        "zh-blacklist",
        "false_legal",
        r"黑名单|限制(?:出行|高消费)|坐不了(?:高铁|飞机)",
        "列入黑名单",
        "限制出行",
    ),
    _zh(
        "zh-seize",
        "false_legal",
        r"查封|扣押|冻结.{0,3}(?:财产|账户|银行卡|工资)|强制执行",
        "查封你的房子",
        "冻结你的账户",
        "强制执行",
    ),
    _zh(
        "zh-borrow-to-pay",
        "pressure",
        r"以贷养贷|借钱还|借.{0,4}(?:网贷|高利贷).{0,4}还|套现还",
        "以贷养贷",
        "去借钱还",
        "借网贷还",
    ),
    _zh("zh-sell-property", "pressure", r"卖(?:房|车|掉房子|肾)", "卖房还款", "卖肾", "賣車"),
    _zh(
        "zh-ultimatum",
        "pressure",
        r"最后通牒|(?:今天|马上|立刻|立即)(?:必须)?(?:还清|结清)",
        "最后通牒",
        "今天必须还清",
    ),
    _zh(
        "zh-contacts",
        "privacy_threat",
        r"通讯录|爆通|(?:通知|告诉|联系)(?:你的?)?(?:单位|领导|同事|亲友|朋友)",
        "打爆通讯录",
        "通知你单位",
        "告诉你的同事",
    ),
    _zh(
        "zh-expose",
        "privacy_threat",
        r"曝光|公示|挂(?:到|在)?网上|发朋友圈",
        "曝光你",
        "挂到网上",
        "发朋友圈",
    ),
    _zh("zh-sue", "legal_action", r"起诉|诉讼|告上法庭|打官司", "起诉你", "提起诉讼", "起訴"),
    # -- English ---------------------------------------------------------------------
    _en(
        "en-break-bones",
        "violence",
        r"\bbreak(?:s|ing)? (?:your|his|her|their) (?:legs?|arms?|neck|bones?|fingers?)\b",
        "We will break your legs",
        "BREAK YOUR  ARMS",
        "breaking your neck",
    ),
    _en(
        "en-kill",
        "violence",
        r"\bkill(?:s|ed|ing)? (?:you|u|your)\b",
        "we'll kill you",
        "K1LL YOU",
        "killing your",
    ),
    _en(
        "en-hurt",
        "violence",
        r"\b(?:hurt|harm|beat|smash)(?:s|ing|en)? (?:you|u|your)\b",
        "we could hurt you",
        "harm your family",
        "beat you up",
    ),
    _en(
        "en-know-where",
        "violence",
        r"\bwe know where you (?:live|work|sleep)\b",
        "We know where you live",
        "we  know where you work",
    ),
    _en(
        "en-regret",
        "violence",
        r"\byou(?:'ll| will) (?:regret|be sorry)\b|\bwatch your back\b",
        "You'll regret this",
        "watch your back",
    ),
    _en(
        "en-something-happen",
        "violence",
        r"\bsomething (?:bad|terrible) (?:will|could|might) happen\b",
        "something bad will happen",
        "Something terrible could happen",
    ),
    _en(
        "en-burn",
        "violence",
        r"\bburn(?:s|ed|ing)? (?:down )?your (?:house|home|car)\b",
        "burn down your house",
        "burning your car",
    ),
    _en("en-deadbeat", "insult", r"\bdead ?beats?\b", "deadbeat", "Dead-beat", "deadbeats"),
    _en(
        "en-loser",
        "insult",
        r"\b(?:loser|scum(?:bag)?|lowlife|parasite)s?\b",
        "loser",
        "scumbag",
        "L0SER",
    ),
    _en(
        "en-idiot",
        "insult",
        r"\b(?:idiot|stupid|moron|imbecile|dumb ?ass)s?\b",
        "idiot",
        "stupid",
        "dumb ass",
    ),
    _en(
        "en-liar", "insult", r"\b(?:liar|thief|cheat|fraudster)s?\b", "liar", "thief", "fraudsters"
    ),
    _en(
        "en-worthless",
        "insult",
        r"\b(?:worthless|pathetic|disgusting|shameless)\b",
        "worthless",
        "Pathetic",
    ),
    _en(
        "en-fword",
        "insult",
        r"\bf+[\W_]*[u*@v][\W_]*c+[\W_]*k+(?:ing|er|ed)?\b|\bfck(?:ing|er|ed)?\b",
        "fuck",
        "f*ck",
        "F U C K",
        "fcking",
    ),
    _en(
        "en-obscene",
        "insult",
        r"\b(?:shit|bitch|bastard|asshole|cunt|whore)(?:s|ty)?\b",
        "shit",
        "b1tch",
        "bastards",
        "a$$hole",
    ),
    _en(
        "en-police",
        "impersonation",
        r"\b(?:police|sheriff|fbi|marshals?|state trooper|detective)s?\b",
        "the police",
        "Sheriff's office",
        "the FBI",
        "U.S. marshals",
    ),
    _en(
        "en-court-summons",
        "impersonation",
        r"\b(?:court|legal) summons\b|\bsummons to appear\b|\bcourt order(?:ed)?\b",
        "court summons",
        "summons to appear",
        "court-ordered",
    ),
    _en(
        "en-government",
        "impersonation",
        r"\b(?:government|federal|state) (?:agency|agent|official|department)s?\b"
        r"|\bdepartment of justice\b|\birs\b",
        "government agency",
        "federal agent",
        "Department of Justice",
        "the IRS",
    ),
    _en(
        "en-official-notice",
        "impersonation",
        r"\bofficial (?:court|legal|government) (?:notice|document)s?\b",
        "official court notice",
        "OFFICIAL LEGAL DOCUMENT",
    ),
    _en(
        "en-arrest",
        "false_legal",
        r"\barrest(?:s|ed|ing)?\b|\bwarrants?\b|\bdetain(?:ed)?\b",
        "you will be arrested",
        "a warrant",
        "ARRESTING",
    ),
    _en(
        "en-jail",
        "false_legal",
        r"\b(?:jail|prison|imprison(?:ed|ment)?|behind bars|lock(?:ed)? up)\b",
        "go to jail",
        "prison",
        "locked up",
    ),
    _en(
        "en-criminal",
        "false_legal",
        r"\bcriminal(?:ly)? (?:charges?|case|complaint|prosecution|liable)\b"
        r"|\bprosecut(?:e|ed|ion)\b"
        r"|\bcommitt(?:ed|ing) (?:fraud|a crime)\b",
        "criminal charges",
        "you will be prosecuted",
        "committed fraud",
    ),
    _en(
        "en-seize",
        "false_legal",
        r"\b(?:seize|seizing|seized|repossess(?:ed|ing)?|garnish(?:ed|ing|ment)?|freeze|frozen)"
        r" (?:your|the|all)\b",
        "seize your house",
        "garnish your wages",
        "freeze your accounts",
    ),
    _en(
        "en-deport",
        "false_legal",
        r"\bdeport(?:ed|ation)?\b|\blose your (?:job|visa|children)\b",
        "you will be deported",
        "lose your job",
    ),
    _en("en-blacklist", "false_legal", r"\bblack ?list(?:ed)?\b", "blacklisted", "black list"),
    _en(
        "en-borrow-to-pay",
        "pressure",
        r"\b(?:borrow|take out a (?:loan|payday loan)|use (?:a|your) credit card)"
        r"(?: (?:money|some money|from \w+))? to pay\b",
        "borrow money to pay",
        "take out a loan to pay",
        "use your credit card to pay",
    ),
    _en(
        "en-sell-property",
        "pressure",
        r"\bsell(?:ing)? (?:your|the) (?:house|home|car|property|belongings)\b",
        "sell your house",
        "Selling your car",
    ),
    _en(
        "en-ultimatum",
        "pressure",
        r"\b(?:final warning|last chance|or else|pay (?:in full )?(?:today|immediately|now) or)\b",
        "final warning",
        "LAST CHANCE",
        "pay today or",
        "or else",
    ),
    _en(
        "en-tell-employer",
        "privacy_threat",
        r"\b(?:tell|call|contact|inform|notify)(?:ing)? your (?:employer|boss|family|neighbou?rs|"
        r"friends|colleagues|contacts)\b",
        "we will tell your employer",
        "calling your boss",
        "contact your neighbours",
    ),
    _en(
        "en-expose",
        "privacy_threat",
        r"\b(?:expose|shame|post)(?:d)? you\b|\bsocial media\b"
        r"|\bpublic(?:ly)? (?:list|shame)",
        "we will expose you",
        "post you on social media",
        "publicly shame",
    ),
    _en(
        "en-sue",
        "legal_action",
        r"\b(?:sue|sued|suing|lawsuit|legal action|litigation)\b|\btake you to court\b",
        "we will sue you",
        "a lawsuit",
        "take you to court",
        "legal action",
    ),
)
