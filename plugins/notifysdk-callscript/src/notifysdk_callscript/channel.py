"""The ``callscript`` channel: turns a rendered call script into files for an agent.

It does not call anyone. ``send`` parses the rendered, masked Markdown into sections,
checks the structure again (fail closed), and writes three files under
``OUTPUT_DIR/call_script/``: ``KEY.json`` for a call-centre screen, ``KEY.md`` and
``KEY.html`` for reading. The receipt carries their paths and the JSON document. The
agent then reports how the call went through :mod:`notifysdk_callscript.outcomes`.
"""

from __future__ import annotations

import asyncio
import json
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

from .outcomes import CallOutcome
from .script import CallScript, structure_problems
from .sections import parse_sections, to_html, to_markdown

CHANNEL_NAME = "callscript"


class CallScriptChannel(BaseChannel):
    """Writes structured call scripts (JSON, Markdown, HTML) for human agents."""

    name = CHANNEL_NAME
    medium = Medium.CALL_SCRIPT
    disclosure = Disclosure.FULL
    contact_kind = "phone"

    def __init__(self, output_dir: Path, clock: Clock, *, name: str = CHANNEL_NAME) -> None:
        self.name = name
        self.folder = Path(output_dir) / Medium.CALL_SCRIPT.value
        self.clock = clock

    def build(self, message: Message) -> CallScript:
        """Parse and check a message; raise :class:`PermanentDeliveryError` if malformed."""
        kind = str(message.metadata.get("kind", ""))
        try:
            sections = parse_sections(message.body)
        except TemplateError as exc:
            raise PermanentDeliveryError(f"call script is malformed: {exc}") from None
        problems = structure_problems(kind, sections)
        if problems:
            raise PermanentDeliveryError("call script is malformed: " + "; ".join(problems))
        return CallScript(kind, message.locale, message.idempotency_key, message.to, sections)

    async def send(self, message: Message) -> Receipt:
        """Write the script's files (off the event loop); the receipt names them."""
        script = self.build(message)
        doc = script.as_dict([o.value for o in CallOutcome])
        paths = await asyncio.to_thread(self._write, script, doc, message.subject)
        return Receipt(
            channel=self.name,
            provider_id=f"{message.idempotency_key}.json",
            status="script_ready",
            accepted_at=self.clock.now(),
            # Paths only: the receipt is stored in the ledger, and the script itself
            # carries the debtor's name, number and amounts.
            detail={**paths, "sections": len(script.sections), "script_type": script.type},
        )

    def _write(
        self, script: CallScript, doc: dict[str, Any], subject: str | None
    ) -> dict[str, str]:
        stem = self.folder / script.idempotency_key
        title = subject or f"{script.type} call script"
        files = {
            "json": (stem.with_suffix(".json"), json.dumps(doc, ensure_ascii=False, indent=2)),
            "markdown": (stem.with_suffix(".md"), to_markdown(script.sections)),
            "html": (
                stem.with_suffix(".html"),
                to_html(script.sections, title=title, lang=script.locale),
            ),
        }
        for path, text in files.values():  # 0600 in a 0700 folder, whatever the umask
            write_private(path, text.encode("utf-8"), sync=False)
        return {k: str(p) for k, (p, _) in files.items()}


def build_channel(ctx: ChannelContext) -> CallScriptChannel:
    """The channel factory registered as ``callscript``."""
    return CallScriptChannel(ctx.output_dir, ctx.clock, name=ctx.name)
