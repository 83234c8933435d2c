"""China's carrier content rules on the *delivered form* of an SMS (content stage).

Under a profile with the specs (``cn``: :mod:`notifysdk.compliance.profiles`), on SMS
to a number the carriers' rules cover (``+86``: a domestic SMS):

- ``carrier-sign``: an SMS through a domestic carrier route reaches the handset signed
  【sign】. An approved-template channel (Alibaba Cloud, Tencent Cloud) adds its
  configured sign itself and says so in its ``content_traits``
  (``RuleContext.channel_traits["sign_name"]``); the body may then carry it or not (the
  channel checks a body's own sign against the configured one). A domestic gateway that
  sends the body as it is (``carrier_route = "cn"`` without a sign, or a channel the
  profile's spec names) needs the body to begin with one. A 【…】 anywhere else in the
  text passes for a sign and is refused. A channel that declares no domestic route
  (capture, Twilio's international route, a test double) is not the carriers' to sign:
  the rule abstains.
- ``carrier-optout``: the opt-out wording (拒收请回复R, 退订回T, 回T退订…) on the kinds
  that need it. Only commercial SMS need it and a collection notice is a notification
  (通知类), so the ``cn`` profile lists no kind: a lender's own profile lists its
  marketing kinds.
- ``carrier-links``: every link (``https://…`` or a bare ``host.tld``) points to a
  registered domain (the spec's and the channel's own), subdomains included.

Each rule votes once per profile with its spec, ``deny`` naming what is missing or
which host is not registered (a host is not personal data: a link's path is never
quoted), with the spec's citation and evidence mark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Literal

from ...policy import Profile, RuleContext, Vote
from ..specs import CarrierLinks, CarrierOptOut, CarrierSign
from .base import SyncVoteRule, in_force, medium_of

__all__ = ["CarrierLinksRule", "CarrierOptOutRule", "CarrierSignRule", "carrier_rules", "links"]

_SIGN_OPEN, _SIGN_CLOSE = "【", "】"
_LEADING_SIGN = re.compile(r"\s*【([^【】\n]*)】")

# Bare host names count as links only under a TLD that SMS links use (a name such as
# "Mr.Smith" must not); a scheme makes any host a link.
_TLDS = (
    "com|cn|net|org|info|top|xyz|vip|shop|site|online|app|io|co|me|cc|tv|biz|club|"
    "mobi|ltd|work|link|ly|gl|la|to|hk|mo|tw|asia|wang|ink|pro|live|store|tech|fun|icu"
)
_URL = re.compile(
    r"(?<![A-Za-z0-9@._-])"
    r"(?:(?P<scheme>https?://)(?P<host>(?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*)"
    r"|(?P<bare>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:" + _TLDS + r")))"
    r"(?![A-Za-z0-9-])",
    re.IGNORECASE | re.ASCII,
)
_DOT_LETTER = re.compile(r"\.[A-Za-z]")
"""What every match of :data:`_URL` contains: a scheme's host ends in a dot and a label
starting with a letter, a bare host in a dot and a TLD (ASCII letters: ``re.ASCII``
keeps the case-insensitive match to them)."""


def links(text: str) -> list[str]:
    """The host of every link in ``text``, lower-cased, in order."""
    # Every link has a dot followed by a letter: most SMS are done here (an amount's
    # "1,246.80" has a dot, but a digit after it). Cheaper than the search of _URL,
    # which tries its look-behind and both branches at every character.
    if "." not in text or _DOT_LETTER.search(text) is None:
        return []
    return [(m.group("host") or m.group("bare")).lower() for m in _URL.finditer(text)]


def _specs(ctx: RuleContext, key: str, kind: type[Any]) -> list[tuple[Profile, Any]]:
    """(profile, spec) for the profiles in force whose ``key`` spec covers the medium and
    the destination."""
    medium = medium_of(ctx)
    to = ctx.to or (ctx.message.to if ctx.message is not None else "")
    out = []
    for profile in in_force(ctx):
        spec = profile.params.get(key)
        if isinstance(spec, kind) and medium in spec.media and to.startswith(spec.destinations):
            out.append((profile, spec))
    return out


def _cited(spec: CarrierSign | CarrierOptOut | CarrierLinks) -> str:
    """The spec's citation with its evidence mark, as the vote carries it."""
    return f"{spec.citation} [evidence {spec.evidence}]"


def _body(ctx: RuleContext) -> str:
    msg = ctx.message
    return "" if msg is None else msg.body


class CarrierSignRule(SyncVoteRule):
    """The SMS reaches the handset signed 【sign】, and carries no other 【…】."""

    name = "carrier-sign"
    citation = "工信管函〔2023〕794号 (sign real-name registration); providers' sign rules"
    stage: Literal["policy", "content"] = "content"

    def _votes_now(self, ctx: RuleContext) -> list[Vote]:
        """One vote per profile with a :class:`CarrierSign` spec for the medium."""
        if ctx.message is None:
            return []
        specs = _specs(ctx, "carrier_sign", CarrierSign)
        if not specs:
            return []
        body = _body(ctx)
        traits = ctx.channel_traits
        channel_sign = traits.get("sign_name")
        declared = bool(channel_sign) or traits.get("carrier_route") == "cn"
        channel = ctx.message.channel
        return [
            self._check(p.name, s, body, channel_sign)
            for p, s in specs
            if declared or channel in s.channels
        ]

    def _check(self, profile: str, spec: CarrierSign, body: str, channel_sign: Any) -> Vote:
        kw = {"citation": _cited(spec)}
        m = _LEADING_SIGN.match(body)
        rest = body[m.end() :] if m else body
        if _SIGN_OPEN in rest or _SIGN_CLOSE in rest:
            return Vote.deny(
                self.name,
                profile,
                "the text carries a 【…】 after the sign: carriers take it for a sign",
                numbers={"sign": "extra"},
                **kw,
            )
        if isinstance(channel_sign, str) and channel_sign:
            size = len(channel_sign)
            source = "channel"
        elif m is not None:
            size = len(m.group(1).strip())
            source = "body"
        else:
            return Vote.deny(
                self.name,
                profile,
                "the SMS carries no 【sign】: the body must begin with the registered "
                "sender's name in 【】, as this domestic route adds none",
                numbers={"sign": "missing"},
                **kw,
            )
        numbers = {"sign": source, "chars": size, "min": spec.min_chars, "max": spec.max_chars}
        if not spec.min_chars <= size <= spec.max_chars:
            return Vote.deny(
                self.name,
                profile,
                f"the 【sign】 has {size} characters; carriers accept "
                f"{spec.min_chars} to {spec.max_chars}",
                numbers=numbers,
                **kw,
            )
        return Vote.allow(self.name, profile, f"signed ({source})", numbers=numbers, **kw)


_NO_KIND = object()
"""No ``kind`` in a message's metadata: the notice's kind is the message's."""


@lru_cache(maxsize=64)
def _wording(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


class CarrierOptOutRule(SyncVoteRule):
    """The carriers' opt-out wording on the notice kinds a profile says need it."""

    name = "carrier-optout"
    citation = "通信短信息服务管理规定 (工业和信息化部令第31号, 2015): commercial SMS"
    stage: Literal["policy", "content"] = "content"

    def _votes_now(self, ctx: RuleContext) -> list[Vote]:
        """One vote per profile whose :class:`CarrierOptOut` lists the notice's kind."""
        msg = ctx.message
        if msg is None:
            return []
        kind = msg.metadata.get("kind", _NO_KIND)
        # _value_: the str .value returns, without the enum property's descriptor call
        kind = ctx.notice.kind._value_ if kind is _NO_KIND else str(kind)
        out = []
        for profile, spec in _specs(ctx, "carrier_optout", CarrierOptOut):
            if kind not in spec.kinds:
                continue
            kw = {"citation": _cited(spec)}
            numbers = {"kind": kind}
            if _wording(spec.patterns).search(msg.body):
                out.append(
                    Vote.allow(
                        self.name, profile.name, "opt-out wording present", numbers=numbers, **kw
                    )
                )
            else:
                out.append(
                    Vote.deny(
                        self.name,
                        profile.name,
                        f"a {kind} SMS needs the carriers' opt-out wording (such as 拒收请回复R)",
                        numbers=numbers,
                        **kw,
                    )
                )
        return out


def _registered(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _domains(*groups: Any) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        if isinstance(group, str):
            group = (group,)
        for d in group or ():
            out.append(str(d).strip().lower().rstrip(".").removeprefix("www."))
    return tuple(d for d in dict.fromkeys(out) if d)


class CarrierLinksRule(SyncVoteRule):
    """Links in an SMS only to registered domains."""

    name = "carrier-links"
    citation = "Tencent Cloud SMS 正文模板审核标准; Alibaba Cloud SMS 短信模板规范"
    stage: Literal["policy", "content"] = "content"

    def _votes_now(self, ctx: RuleContext) -> list[Vote]:
        """One vote per profile with a :class:`CarrierLinks` spec, when the SMS links."""
        if ctx.message is None:
            return []
        specs = _specs(ctx, "carrier_links", CarrierLinks)
        if not specs:
            return []
        hosts = links(_body(ctx))
        if not hosts:
            return []  # nothing to check: no vote
        channel = ctx.channel_traits.get("registered_domains")
        return [
            self._check(p.name, s, hosts, _domains(s.registered_domains, channel)) for p, s in specs
        ]

    def _check(
        self, profile: str, spec: CarrierLinks, hosts: Sequence[str], domains: tuple[str, ...]
    ) -> Vote:
        kw = {"citation": _cited(spec)}
        stray = [h for h in dict.fromkeys(hosts) if not _registered(h, domains)]
        numbers = {"links": len(hosts), "registered_domains": list(domains)}
        if stray:
            return Vote.deny(
                self.name,
                profile,
                f"the SMS links to {', '.join(stray)}, not a registered domain "
                f"({', '.join(domains) or 'none registered'})",
                numbers={**numbers, "unregistered": stray},
                **kw,
            )
        return Vote.allow(
            self.name, profile, "every link is to a registered domain", numbers=numbers, **kw
        )


def carrier_rules() -> list[CarrierSignRule | CarrierOptOutRule | CarrierLinksRule]:
    """A fresh instance of each carrier rule."""
    return [CarrierSignRule(), CarrierOptOutRule(), CarrierLinksRule()]
