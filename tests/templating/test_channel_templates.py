"""A channel's own templates (``KIND/CHANNEL.LOCALE.PART.j2``) are looked up before its
medium's, so a plugin's templates for its channel change nothing another channel of
the same medium sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifysdk.errors import UnknownLocaleError
from notifysdk.templating import TemplateRenderer

CONTEXT = {"name": "Wei"}


def _pack(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "overdue_notice" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def renderer(tmp_path: Path) -> TemplateRenderer:
    defaults = _pack(
        tmp_path / "defaults",
        {
            "sms.en.txt.j2": "medium sms {{ name }}",
            "email.en.txt.j2": "medium email body",
            "email.en.subject.j2": "medium email subject",
        },
    )
    plugin = _pack(
        tmp_path / "plugin",
        {
            "wecom-bot.en.txt.j2": "channel wecom-bot {{ name }}",
            "mail-api.en.txt.j2": "channel mail-api body",
            "email.zh-CN.txt.j2": "这个插件覆盖了 email 媒介",
        },
    )
    return TemplateRenderer([plugin, defaults])


def test_a_channel_uses_its_own_template(renderer: TemplateRenderer) -> None:
    out = renderer.render("overdue_notice", "sms", "en", CONTEXT, channel="wecom-bot")
    assert out.body == "channel wecom-bot Wei\n"
    assert out.template == "overdue_notice/wecom-bot.en.txt.j2"


@pytest.mark.parametrize("channel", ["capture-sms", "twilio-sms", None, "sms", "email"])
def test_other_channels_of_the_medium_keep_the_mediums(
    renderer: TemplateRenderer, channel: str | None
) -> None:
    # "email" is a medium's name: an SMS channel named so has no templates of its own
    out = renderer.render("overdue_notice", "sms", "en", CONTEXT, channel=channel)
    assert out.body == "medium sms Wei\n"


def test_the_body_decides_where_the_other_parts_come_from(renderer: TemplateRenderer) -> None:
    # mail-api has its own body and no subject: it gets no subject, not the medium's
    own = renderer.render("overdue_notice", "email", "en", CONTEXT, channel="mail-api")
    assert own.body == "channel mail-api body\n" and own.subject is None
    medium = renderer.render("overdue_notice", "email", "en", CONTEXT, channel="smtp-email")
    assert medium.subject == "medium email subject"


def test_a_plugin_that_means_to_override_a_medium_names_the_medium(
    renderer: TemplateRenderer,
) -> None:
    out = renderer.render("overdue_notice", "email", "zh-CN", CONTEXT, channel="smtp-email")
    assert out.body == "这个插件覆盖了 email 媒介\n"


def test_template_for_says_which_file_a_channel_uses(renderer: TemplateRenderer) -> None:
    assert renderer.template_for("overdue_notice", "sms", "en", "wecom-bot") == (
        "wecom-bot",
        "overdue_notice/wecom-bot.en.txt.j2",
    )
    assert renderer.template_for("overdue_notice", "sms", "en", "capture-sms") == (
        "sms",
        "overdue_notice/sms.en.txt.j2",
    )
    assert renderer.template_for("overdue_notice", "voice", "en", "x") is None


def test_a_missing_locale_lists_the_channels_and_the_mediums_locales(
    renderer: TemplateRenderer,
) -> None:
    with pytest.raises(UnknownLocaleError, match="have: en"):
        renderer.render("overdue_notice", "sms", "fr", CONTEXT, channel="wecom-bot")
