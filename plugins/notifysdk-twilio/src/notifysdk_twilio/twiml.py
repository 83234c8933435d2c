"""TwiML for an automated call: the notice's text spoken with ``<Say>`` in its language."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.twiml.voice_response import VoiceResponse  # type: ignore[import-untyped]

MAX_TWIML_CHARS = 4000
"""Twilio's limit on the ``Twiml`` parameter of a Calls create."""


def say_language(locale: str, languages: Mapping[str, str]) -> str | None:
    """The ``<Say language>`` for ``locale``: an exact match, then its language part."""
    if locale in languages:
        return languages[locale]
    base = locale.split("-", 1)[0]
    for key, value in languages.items():
        if key.split("-", 1)[0] == base:
            return value
    return None


def say_twiml(text: str, *, language: str, voice: str | None = None) -> str:
    """``<Response><Say language=…>text</Say></Response>``, XML-escaped by twilio's builder."""
    response = VoiceResponse()
    attrs: dict[str, str] = {"language": language}
    if voice:
        attrs["voice"] = voice
    response.say(text, **attrs)
    return str(response)
