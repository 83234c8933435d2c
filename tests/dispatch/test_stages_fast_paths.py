"""The render stage's fast paths give what the slow paths give.

- ``models._message`` (the message ``_build`` makes) is the object ``Message(...)``
  validates: the same ``__dict__`` (values, their types, field order), fields set, extra
  and private values; a value validation would change (a ``str`` subclass, a medium given
  as text) takes the validating constructor.
- ``TemplateRenderer.render`` from the names it kept renders what a renderer rendering
  the notice for the first time renders, for every template of the default pack and for
  a channel's own templates.
- ``TemplateLimits.output_chars`` is the table it was.
- ``self_service_url`` calls ``link_for`` once imported, with the same answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifysdk.builtin.templates import default_template_dir
from notifysdk.config import Settings
from notifysdk.dispatch import stages
from notifysdk.dispatch.context import NoticeContext
from notifysdk.models import Attachment, Medium, Message, NoticeKind, Role, _message
from notifysdk.template_limits import DEFAULT_LIMITS, TemplateLimits
from notifysdk.templating import TemplateRenderer, notice_context
from notifysdk.testing import MockChannel, sample_account, sample_notice

NOW = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)


def _same(a: Message, b: Message) -> None:
    assert type(a) is type(b) is Message
    assert list(a.__dict__) == list(b.__dict__)
    assert a.__dict__ == b.__dict__
    assert [type(v) for v in a.__dict__.values()] == [type(v) for v in b.__dict__.values()]
    assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__
    assert a.__pydantic_extra__ == b.__pydantic_extra__
    assert a.__pydantic_private__ == b.__pydantic_private__
    assert a == b and hash(repr(a)) == hash(repr(b))
    assert a.model_dump() == b.model_dump()
    assert _json(a) == _json(b)
    assert a.model_dump(exclude_unset=True) == b.model_dump(exclude_unset=True)


def _json(m: Message) -> str:
    try:
        return m.model_dump_json()
    except Exception as exc:  # a lone surrogate: refused alike
        return f"{type(exc).__name__}: {exc}"


def _args(**over: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "idempotency_key": "nk_1",
        "channel": "capture-sms",
        "medium": Medium.SMS,
        "to": "+8613800138000",
        "locale": "zh-CN",
        "subject": None,
        "body": "张*您好",
        "html": None,
        "attachments": (),
        "metadata": {"template": "t", "kind": "overdue_notice", "disclosure": "limited"},
    }
    args.update(over)
    return args


def _both(**over: Any) -> tuple[Message, Message]:
    args = _args(**over)
    slow = Message(**{**args, "metadata": dict(args["metadata"])})
    fast = _message(**args)
    return fast, slow


text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    key=text,
    body=text,
    subject=st.none() | text,
    html=st.none() | text,
    medium=st.sampled_from(list(Medium)),
    consent=st.none() | st.sampled_from(["contract", "express"]),
    attached=st.booleans(),
)
def test_the_fast_message_is_the_validated_one(
    key: str,
    body: str,
    subject: str | None,
    html: str | None,
    medium: Medium,
    consent: str | None,
    attached: bool,
) -> None:
    attachments = (
        (Attachment(filename="a.pdf", content_type="application/pdf", data=b"%PDF"),)
        if attached
        else ()
    )
    fast, slow = _both(
        idempotency_key=key,
        body=body,
        subject=subject,
        html=html,
        medium=medium,
        attachments=attachments,
        metadata={"template": "x", "kind": "k", "disclosure": "full", "consent": consent},
    )
    _same(fast, slow)
    assert fast.headers == {} and fast.headers is not slow.headers


@pytest.mark.parametrize(
    "over",
    [
        {"body": markupsafe.Markup("<b>x</b>")},
        {"html": markupsafe.Markup("<b>x</b>")},
        {"subject": markupsafe.Markup("s")},
        {"medium": "sms"},
        {"attachments": [Attachment(filename="a.pdf", data=b"x")]},
        {"metadata": {markupsafe.Markup("k"): "x"}},
    ],
)
def test_values_validation_would_change_take_the_constructor(over: dict[str, Any]) -> None:
    fast, slow = _both(**over)
    _same(fast, slow)


@pytest.mark.parametrize("over", [{"medium": "pigeon"}, {"metadata": {1: "x"}}, {"body": None}])
def test_a_bad_value_is_refused_as_the_constructor_refuses_it(over: dict[str, Any]) -> None:
    with pytest.raises(Exception) as fast:
        _message(**_args(**over))
    with pytest.raises(Exception) as slow:
        Message(**_args(**over))
    assert type(fast.value) is type(slow.value) and str(fast.value) == str(slow.value)


def _combos(renderer: TemplateRenderer) -> list[tuple[str, str, str]]:
    out = []
    for name in renderer.template_names():
        kind, rest = name.split("/", 1)
        medium, locale, part, _ = rest.split(".")
        if part == "txt":
            out.append((kind, medium, locale))
    return out


def _context(kind: str, locale: str, n: int) -> dict[str, Any]:
    account = sample_account(n, locale=locale, days_overdue=10 + n)
    notice = sample_notice(n, kind=NoticeKind(kind), account=account, channel="mock")
    data = {
        "agent_name": "王芳",
        "visit": {"slot": "2026-01-09T10:00:00+08:00", "place": "branch"},
        "staff": [],
    }
    notice = notice.model_copy(update={"data": data})
    return notice_context(notice, now=NOW, institution_contact="95555", neutral_sender="")


def test_render_from_kept_names_is_the_first_render() -> None:
    root = default_template_dir()
    kept = TemplateRenderer([root], filters=_plugin_filters())
    combos = _combos(kept)
    assert len(combos) > 20
    rendered = 0
    for i, (kind, medium, locale) in enumerate(combos):
        for channel in (None, "capture-" + medium, medium):
            ctx = _context(kind, "zh-CN" if locale.startswith("zh") else "en", i)
            try:
                first = TemplateRenderer([root], filters=_plugin_filters()).render(
                    kind, medium, locale, ctx, channel=channel
                )
            except Exception as exc:  # a template needing a plugin's filter, data...
                with pytest.raises(type(exc)) as again:
                    kept.render(kind, medium, locale, ctx, channel=channel)
                assert str(again.value) == str(exc)
                continue
            for _ in range(2):  # the first call looks the names up, the second keeps them
                assert kept.render(kind, medium, locale, ctx, channel=channel) == first
            rendered += 1
    assert rendered > 20
    assert kept._parts


def _plugin_filters() -> dict[str, Any]:
    return {}


def _pack(root: Path, files: dict[str, str]) -> Path:
    for rel, body in files.items():
        path = root / "overdue_notice" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


def test_a_channels_own_templates_from_kept_names(tmp_path: Path) -> None:
    defaults = _pack(
        tmp_path / "d",
        {
            "email.en.txt.j2": "medium body {{ name }}",
            "email.en.subject.j2": "medium   subject\n {{ name }}",
            "email.en.html.j2": "<p>{{ name }}</p>",
        },
    )
    plugin = _pack(
        tmp_path / "p",
        {"mail-api.en.txt.j2": "channel body", "mail-api.en.subject.j2": "channel subject"},
    )
    ctx = {"name": "<Wei>"}
    for channel in ("mail-api", "other", None):
        for locale in ("en", "en-US"):
            first = TemplateRenderer([plugin, defaults]).render(
                "overdue_notice", "email", locale, ctx, channel=channel
            )
            kept = TemplateRenderer([plugin, defaults])
            for _ in range(3):
                assert kept.render("overdue_notice", "email", locale, ctx, channel=channel) == first


def test_a_failing_part_fails_alike_from_kept_names(tmp_path: Path) -> None:
    root = _pack(
        tmp_path / "d",
        {
            "email.en.txt.j2": "{{ name }}",
            "email.en.subject.j2": "{{ name.missing.deeper }}",
        },
    )
    renderer = TemplateRenderer([root])
    ok = renderer.render("overdue_notice", "email", "en", {"name": {"missing": {"deeper": 1}}})
    assert ok.subject == "1"
    errors = []
    for _ in range(2):
        with pytest.raises(Exception) as caught:
            renderer.render("overdue_notice", "email", "en", {"name": "x"})
        errors.append((type(caught.value), str(caught.value)))
    fresh = TemplateRenderer([root])
    with pytest.raises(Exception) as caught:
        fresh.render("overdue_notice", "email", "en", {"name": "x"})
    assert errors == [(type(caught.value), str(caught.value))] * 2


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, TemplateLimits(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)])
@pytest.mark.parametrize("part", ["subject", "txt", "html", "pdf", ""])
def test_output_chars_is_the_table(limits: TemplateLimits, part: str) -> None:
    table = {"subject": limits.subject_chars, "txt": limits.txt_chars, "html": limits.html_chars}
    assert limits.output_chars(part) == table.get(part, limits.txt_chars)


async def test_self_service_url_is_link_for(tmp_path: Path) -> None:
    from notifysdk.selfservice.links import link_for

    settings = Settings(
        output_dir=tmp_path / "out",
        key_dir=tmp_path / "keys",
        self_service={"public_base_url": "https://pay.example.com/ss"},
    )
    pipe: Any = type("P", (), {"settings": settings})()
    notice = sample_notice(3, channel="mock")
    ctx = NoticeContext(notice=notice, channel=MockChannel(), now=NOW)
    for _ in range(2):
        url = stages.self_service_url(pipe, ctx)
        assert url == link_for(settings, notice, NOW) and url.startswith("https://pay.")
    third = notice.model_copy(
        update={"recipient": notice.recipient.model_copy(update={"role": Role.GUARANTOR})}
    )
    assert stages.self_service_url(pipe, ctx.evolve(notice=third)) == ""
    assert stages._LINK_FOR[0] is link_for and len(stages._LINK_FOR) == 1


async def test_kept_profiles_and_levels_are_what_the_stage_computed(tmp_path: Path) -> None:
    import itertools

    from notifysdk.channels import Disclosure
    from notifysdk.dispatcher import Dispatcher
    from notifysdk.errors import UnknownProfileError
    from notifysdk.ledger.memory import MemoryLedger

    settings = Settings(output_dir=tmp_path / "out", recover_on_start=False)
    async with Dispatcher(settings, ledger=MemoryLedger()) as d:
        pipe = d.pipeline
        channel = d.channel("capture-sms")
        for codes in [("cn",), ("cn",), ("us-regf", "cn"), ("cn", "us-regf")]:
            notice = sample_notice(1, channel="capture-sms", profiles=codes)
            ctx = await stages.profiles_stage(pipe, NoticeContext(notice, channel, NOW))
            assert isinstance(ctx, NoticeContext)
            fresh = stages.resolve_profiles(codes, pipe)
            assert type(ctx.profiles) is dict and ctx.profiles == fresh
            assert list(ctx.profiles) == list(fresh)
            assert ctx.profiles is not pipe._profiles[codes]
        bad = sample_notice(1, channel="capture-sms", profiles=("no-such",))
        for _ in range(2):
            with pytest.raises(UnknownProfileError):
                await stages.profiles_stage(pipe, NoticeContext(bad, channel, NOW))
        assert ("no-such",) not in pipe._profiles

        class Ch:
            def __init__(self, disclosure: Any, medium: Any) -> None:
                self.disclosure, self.medium = disclosure, medium

        levels = [*Disclosure, *(lv.value for lv in Disclosure)]
        for disclosure, role, medium in itertools.product(levels, Role, [*Medium, "sms"]):
            who = sample_notice(2, channel="capture-sms")
            who = who.model_copy(
                update={"recipient": who.recipient.model_copy(update={"role": role})}
            )
            ctx = NoticeContext(who, Ch(disclosure, medium), NOW)  # type: ignore[arg-type]
            for _ in range(2):
                got, want = stages._level_of(pipe, ctx), stages._level(ctx)
                assert got == want and type(got) is type(want)
