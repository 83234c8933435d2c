"""The email detector: addresses as written, next to Chinese text or not, and as people
disguise them in notes — ``name at example dot com``, ``name [at] example [dot] com``,
``name(at)example.com``, ``name 艾特 example.com``, ``name＠example。com``,
``name @ example.com``.

Not addresses, so left alone: the Message-IDs mail logs carry
(``Message-ID: <1746.5@mail.example.com>``, postfix's ``message-id=<…>``), a git remote
(``git@github.com:owner/repo``), ``user@localhost`` (no top-level domain), and English
prose that only has the words *at* and *dot* in it (``meet at 5 dot``).

The search starts from the markers (``@`` and the spelled-out forms of it) and reads the
local part leftwards and the domain rightwards, so text without a marker costs a few
substring searches.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import lru_cache

from .findings import Finding, KnownValues
from .prescan import Prescan
from .text import fold

_LOCAL_CHARS = frozenset(string.ascii_letters + string.digits + "._%+-")
_LOCAL_FIRST = frozenset(string.ascii_letters + string.digits + "_")
"""What a local part may start with (``_zhang`` included; not ``.``, ``-``, ``+``)."""

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:[.。]{_LABEL})*[.。][A-Za-z]{{2,24}}(?![A-Za-z0-9-])")
"""A domain with a top-level domain, dots ASCII or ideographic (``example。com``)."""

_SPELT_DOT = r"[ \t]*[\[({<][ \t]*dot[ \t]*[\])}>][ \t]*|[ \t]+dot[ \t]+|[ \t]*点[ \t]*"
_DOT = rf"(?:{_SPELT_DOT}|[ \t]?[.。][ \t]?)"
_TLDS = (
    "com|net|org|edu|gov|mil|int|info|biz|io|co|ai|app|dev|xyz|top|vip|cc|tv"
    "|cn|hk|tw|mo|jp|kr|sg|uk|de|fr|au|ca|ru|nz|eu|ch|nl|se|es|br|mx"
)
_DOMAIN_SPELT = re.compile(
    rf"{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}(?:{_TLDS})(?![A-Za-z0-9-])", re.IGNORECASE
)
"""A domain whose dots may be spelt out (``example dot com``, ``example [dot] com``,
``example点com``); the top-level domain must be a common one, since prose has dots too."""

# One character class first (a, A or 艾), then the rest of ``at`` or ``艾特`` and what
# stands around it: the engine skips in C to that class, where an alternation whose
# branches start with classes would be tried at every character.
_SPELT_AT = re.compile(r"[aA艾](?:(?<=[aA])[tT](?<=[ \t\[({<][aA][tT])(?=[ \t\])}>])|(?<=艾)特)")
"""The spelled-out forms of ``@``: ``[at]``, ``( at )``, ``艾特``, a bare ``at``; the
brackets are read around the match (``[@]`` is found from its ``@``)."""
_DOT_BEFORE = re.compile(r"(?:[ \t]*[\[({<][ \t]*dot[ \t]*[\])}>][ \t]*|[ \t]+dot[ \t]+)$", re.I)
"""A spelt-out dot inside a local part (``john dot smith at …``)."""
_HAS_SPELT_DOT = re.compile(_SPELT_DOT, re.I)

_CUE = re.compile(
    r"mail|邮箱|邮件|电邮|contact|address|addr|write|send|reach|联系|发到|发至|发送", re.I
)
"""Words near a bare ``at`` that say an address follows (``email: li at qq dot com``)."""
_PROSE_WORDS = """
i me my we us our you your he him his she her it its they
them their this that there here a an the and or but is are was were
be been am at look meet met arrive stay call reach email mail contact write send
sent home work office school noon night least all once first last best follow find found
"""
_PROSE = frozenset(_PROSE_WORDS.split())
"""Words that stand before an ``at`` or a spaced ``@`` in prose, never as an address."""

_MESSAGE_ID = re.compile(
    r"(?:message-?id|msg-?id|in-reply-to|references|content-id)[ \t]*[:=][ \t]*"
    r"(?:<[^<>\s]*>[\s,]*)*<?[^\s<>@]*$",
    re.IGNORECASE,
)
"""The header or log field of a Message-ID, up to the address-like token in it."""
_TOKEN_END = frozenset(" \t\r\n<>\"',;")
_MACHINE_MADE = re.compile(
    r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|javamail|[=$]"
    r"|[0-9]{10,}[^@]*\.|\.[^@]*[0-9]{10,}|^(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{16,}$"
    r"|^(?-i:(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])[A-Za-z0-9+/_=-]{32,})$",
    re.IGNORECASE,
)
"""The left part of a Message-ID as mail software makes it (never a person's address)."""


class EmailDetector:
    """Email addresses (ASCII, full-width folded, disguised), next to Chinese text or not;
    not Message-IDs, git remotes or prose (see the module docstring)."""

    name = "email"
    kind = "email"
    kinds = frozenset({kind})
    """Every kind it reports (the redactor's leak guard skips it where all are allowed)."""

    def may_find(self, scan: Prescan) -> bool:
        """An ``@`` or a spelt-out marker (the checks :meth:`find` starts with): a
        spelt-out one is looked for where the letters are (``contact``, ``date`` have
        them but no marker), and :meth:`find` reads the same matches again."""
        folded = scan.folded
        return "@" in folded or (_spelt_marker(folded) and bool(_spelt_ats(folded)))

    def find(self, text: str, known: KnownValues) -> Iterator[Finding]:
        """Every email address in ``text``."""
        folded = fold(text)
        if "@" in folded:
            at = folded.find("@")
            last = len(folded) - 1
            while at != -1:
                if 0 < at < last and folded[at - 1] in _LOCAL_CHARS and folded[at + 1].isalnum():
                    span = _plain(folded, at)  # the common case, no spaces or brackets
                else:
                    lo, hi = _bracketed(folded, at, at + 1)
                    span = _address(folded, lo, hi, "@" if lo == at else "spelt")
                if span is not None:
                    yield Finding(self.kind, span[0], span[1], self.name)
                at = folded.find("@", at + 1)
        if not _spelt_marker(folded):
            return
        for start, end in _spelt_ats(folded):
            at, after = _bracketed(folded, start, end)
            form = "word" if at == start and folded[start:end] != "艾特" else "spelt"
            span = _address(folded, at, after, form)
            if span is not None:
                yield Finding(self.kind, span[0], span[1], self.name)


@lru_cache(maxsize=16)
def _spelt_ats(folded: str) -> tuple[tuple[int, int], ...]:
    """The spans of :data:`_SPELT_AT` in ``folded``, left to right (cached: the gate
    looks for them, and :meth:`EmailDetector.find` reads them on the same text)."""
    return tuple(m.span() for m in _SPELT_AT.finditer(folded))


def _spelt_marker(folded: str) -> bool:
    """Could ``folded`` hold a spelt-out ``@`` (``at``, ``[at]``, ``艾特``)?"""
    return "at" in folded or "AT" in folded or "At" in folded or "艾特" in folded


_OPEN = {"[": "]", "(": ")", "{": "}", "<": ">"}


def _bracketed(folded: str, start: int, end: int) -> tuple[int, int]:
    """The marker ``folded[start:end]`` widened to its brackets when it has a matching
    pair around it (``[at]``, ``( at )``, ``[@]``); as it is otherwise."""
    lo = _skip_spaces_left(folded, start)
    hi = _skip_spaces_right(folded, end)
    if lo > 0 and hi < len(folded) and _OPEN.get(folded[lo - 1]) == folded[hi]:
        return lo - 1, hi + 1
    return start, end


def _plain(folded: str, at: int) -> tuple[int, int] | None:
    """The span of a plainly written address around the ``@`` at ``at``, or ``None``."""
    start = _local_start(folded, at, spelt=False)
    domain = _DOMAIN.match(folded, at + 1) or _DOMAIN_SPELT.match(folded, at + 1)
    if start is None or domain is None:
        return None
    end = domain.end()
    if _is_message_id(folded, start, at, end) or _is_git_remote(folded, folded[start:at], end):
        return None
    return start, end


def _address(folded: str, at: int, after: int, form: str) -> tuple[int, int] | None:
    """The span of the address around the marker ``folded[at:after]``, or ``None``.
    ``form`` is ``@`` (maybe spaced), ``spelt`` (``[at]``, ``艾特``) or ``word`` (a bare
    ``at``, which needs more evidence: see :func:`_plausible_word_form`)."""
    left = _skip_spaces_left(folded, at)
    right = _skip_spaces_right(folded, after)
    spaced = left != at or right != after
    if form == "@" and (at - left > 2 or right - after > 2):
        return None
    # The domain first: prose has an ``at`` far more often than a domain after it.
    domain = None if form != "@" else _DOMAIN.match(folded, right)
    domain = domain or _DOMAIN_SPELT.match(folded, right)
    if domain is None:
        return None
    start = _local_start(folded, left, spelt=form != "@")
    if start is None:
        return None
    local = folded[start:left]
    if (spaced or form == "word") and local.lower() in _PROSE:
        return None
    if form == "word" and not _plausible_word_form(folded, start, local, domain.group()):
        return None
    end = domain.end()
    if _is_message_id(folded, start, left, end) or _is_git_remote(folded, local, end):
        return None
    return start, end


def _skip_spaces_left(folded: str, i: int) -> int:
    while i > 0 and folded[i - 1] in " \t":
        i -= 1
    return i


def _skip_spaces_right(folded: str, i: int) -> int:
    while i < len(folded) and folded[i] in " \t":
        i += 1
    return i


def _local_start(folded: str, end: int, *, spelt: bool) -> int | None:
    """Where the local part ending at ``end`` starts; spelt-out forms may have spelt-out
    dots in it too (``john dot smith at …``)."""
    i = end
    for _ in range(4):
        while i > 0 and folded[i - 1] in _LOCAL_CHARS:
            i -= 1
        if not spelt:
            break
        dot = _DOT_BEFORE.search(folded, max(0, i - 12), i)
        if dot is None or dot.start() == 0 or folded[dot.start() - 1] not in _LOCAL_CHARS:
            break
        i = dot.start()
    while i < end and folded[i] not in _LOCAL_FIRST:
        i += 1
    return i if i < end else None


def _plausible_word_form(folded: str, start: int, local: str, domain: str) -> bool:
    """A bare ``at`` is an address with an address-like local part (a digit, a dot,
    ``_`` or ``+``: ``li_na88 at qq dot com``), after an address word (``email:``), or
    when the dot is spelt out too (``name at example dot com``) and the word before
    ``at`` is no verb (``worked at amazon dot com``, ``laughing at pets dot com``)."""
    if any(not c.isalpha() for c in local):
        return True
    if _CUE.search(folded, max(0, start - 48), start) is not None:
        return True
    low = local.lower()
    return _HAS_SPELT_DOT.search(domain) is not None and not low.endswith(("ed", "ing"))


def _is_message_id(folded: str, start: int, local_end: int, end: int) -> bool:
    """Is the address-like token ``folded[start:end]`` (its local part ending at
    ``local_end``) a Message-ID? Either its field
    says so (``Message-ID: <…@…>``, ``message-id=<…>``, ``References: <…> <…>``), or it
    stands in angle brackets with a machine-made left part: a UUID, a time stamp or
    counter joined by dots, ``JavaMail``, long hex, base64 (``<CA+x=y@mail.gmail.com>``,
    ``<CAszZdDd2Cz0C0LW5Jx…@mail.gmail.com>``)."""
    lo = max(0, start - 300)
    window = folded[lo:start].lower()
    if ("id" in window or "references" in window or "reply" in window) and _MESSAGE_ID.search(
        folded, lo, start
    ):
        return True
    if folded[end : end + 1] != ">":
        return False
    token = start
    while token > 0 and folded[token - 1] not in _TOKEN_END:
        token -= 1
    if token == 0 or folded[token - 1] != "<":
        return False
    return _MACHINE_MADE.search(folded[token:local_end]) is not None


def _is_git_remote(folded: str, local: str, end: int) -> bool:
    """``git@github.com:owner/repo`` and ``ssh://git@host/…`` name a repository, not a
    person."""
    return local == "git" and folded[end : end + 1] in (":", "/")
