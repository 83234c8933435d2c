"""The ``visitletter`` channel: renders visit and summons letters as PDF files.

``send`` parses the rendered, masked letter text into sections
(:mod:`notifysdk_callscript.sections`), lays it out with embedded fonts
(:mod:`.layout`) and writes ``OUTPUT_DIR/letter/KEY.pdf``; the receipt names the file,
its page count and that page 1 is the envelope page. Printing and posting or handing
the letter over is up to the lender; the visit itself is recorded with
:func:`notifysdk_visitletter.record_visit`.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from notifysdk.plugin import (
    BaseChannel,
    ChannelContext,
    Clock,
    Disclosure,
    Medium,
    Message,
    PermanentDeliveryError,
    Receipt,
    TemplateError,
    write_private,
)
from notifysdk_callscript.sections import parse_sections

from .fonts import FontFile, MissingGlyphError, find_fonts
from .layout import render_letter

CHANNEL_NAME = "visitletter"


class VisitLetterChannel(BaseChannel):
    """Writes each letter as a PDF (envelope page + letter) under ``output_dir/letter/``."""

    name = CHANNEL_NAME
    medium = Medium.LETTER
    disclosure = Disclosure.FULL
    contact_kind = "address"

    def __init__(
        self,
        output_dir: Path,
        clock: Clock,
        *,
        name: str = CHANNEL_NAME,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.folder = Path(output_dir) / Medium.LETTER.value
        self.clock = clock
        self.fonts: list[FontFile] = find_fonts(settings)

    def render(self, message: Message) -> bytes:
        """The PDF of one message; malformed text or a missing glyph is permanent."""
        try:
            sections = parse_sections(message.body)
            return render_letter(
                sections, self.fonts, locale=message.locale, created=self.clock.now()
            )
        except (TemplateError, MissingGlyphError) as exc:
            raise PermanentDeliveryError(
                f"letter cannot be rendered: {exc}", provider_code=type(exc).__name__
            ) from None

    async def send(self, message: Message) -> Receipt:
        """Render and write the PDF (off the event loop); the receipt names the file."""
        pdf = await asyncio.to_thread(self.render, message)
        path = await asyncio.to_thread(self._write, message.idempotency_key, pdf)
        return Receipt(
            channel=self.name,
            provider_id=path.name,
            status="rendered",
            accepted_at=self.clock.now(),
            detail={
                "path": str(path),
                "pages": len(re.findall(rb"/Type\s*/Page(?!s)", pdf)),
                "envelope_page": 1,
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "fonts": [f.path.name for f in self.fonts],
            },
        )

    def _write(self, key: str, pdf: bytes) -> Path:
        # 0600 in a 0700 folder, whatever the umask: a letter names the debtor
        return write_private(self.folder / f"{key}.pdf", pdf, sync=False)


def build_channel(ctx: ChannelContext) -> VisitLetterChannel:
    """The factory registered as ``visitletter`` (finds fonts now: a missing font is a
    :class:`~.fonts.FontNotFoundError` before anything is sent)."""
    return VisitLetterChannel(ctx.output_dir, ctx.clock, name=ctx.name, settings=ctx.settings)
