"""Finding a font that renders Chinese and English, for embedding in letters.

Looked for in order:

1. the ``font_path`` setting of the channel (``[channels.visitletter] font_path``),
   with ``font_index`` for a ``.ttc`` collection;
2. Noto Sans SC from the PyPI package ``pylopdf-fonts-zh-cn`` (a dependency of this
   plugin, so ``pip install notifysdk-visitletter`` is enough on any machine);
3. system CJK fonts (Debian ``fonts-noto-cjk``, ``fonts-wqy-microhei``...).

Nothing found raises :class:`FontNotFoundError` naming what to install. A letter whose
text has a character no loaded font can draw raises :class:`MissingGlyphError` instead
of printing an empty box.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

from notifysdk.plugin import ConfigurationError, NotifyError

SYSTEM_FONTS: tuple[tuple[str, int], ...] = (
    # (path, index in a .ttc collection: 2 is the Simplified Chinese face of Noto CJK)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
)

INSTALL_HINT = (
    "install the PyPI package 'pylopdf-fonts-zh-cn' (a dependency of notifysdk-visitletter), "
    "or the Debian package 'fonts-noto-cjk', or set [channels.visitletter] font_path"
)


class FontNotFoundError(ConfigurationError):
    """No font that can draw Chinese was found. The message says what to install."""


class MissingGlyphError(NotifyError):
    """A letter has characters no loaded font can draw (names the code points only)."""

    def __init__(self, where: str, codepoints: Iterable[str]) -> None:
        self.where = where
        self.codepoints = tuple(sorted(set(codepoints)))
        shown = ", ".join(f"U+{ord(c):04X}" for c in self.codepoints[:8])
        super().__init__(f"{where}: no embedded font can draw {shown}; {INSTALL_HINT}")


@dataclass(frozen=True)
class FontFile:
    """A font file and, for a collection, the face to use."""

    path: Path
    index: int = 0

    @property
    def is_collection(self) -> bool:
        """True for a ``.ttc``/``.otc`` collection."""
        return self.path.suffix.lower() in (".ttc", ".otc")


def _packaged() -> FontFile | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return FontFile(path) if path.is_file() else None


def find_fonts(settings: Mapping[str, Any] | None = None) -> list[FontFile]:
    """Every usable font, best first (the first draws the text, the rest are fallbacks)."""
    settings = settings or {}
    out: list[FontFile] = []
    configured = settings.get("font_path")
    if configured:
        path = Path(str(configured))
        if not path.is_file():
            raise FontNotFoundError(f"[channels.visitletter] font_path does not exist: {path}")
        index = settings.get("font_index", 0)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 1000:
            raise ConfigurationError("[channels.visitletter] font_index: must be a whole number")
        out.append(FontFile(path, index))
    packaged = _packaged()
    if packaged is not None:
        out.append(packaged)
    out.extend(FontFile(Path(p), i) for p, i in SYSTEM_FONTS if Path(p).is_file())
    covering = [f for f in out if "中" in coverage(f) and "A" in coverage(f)]
    if not covering:
        raise FontNotFoundError(
            f"no font that can draw Chinese and English was found: {INSTALL_HINT}"
        )
    return covering


@lru_cache(maxsize=16)
def coverage(font: FontFile) -> frozenset[str]:
    """The characters a font has glyphs for."""
    if font.is_collection:
        tt = TTCollection(str(font.path), lazy=True).fonts[font.index]
    else:
        tt = TTFont(str(font.path), lazy=True)
    cmap = tt.getBestCmap() or {}
    return frozenset(chr(cp) for cp in cmap)


def missing_glyphs(text: str, fonts: Iterable[FontFile]) -> set[str]:
    """Characters of ``text`` (whitespace aside) that none of ``fonts`` can draw."""
    covered: set[str] = set()
    for f in fonts:
        covered |= coverage(f)
    return {c for c in text if not c.isspace() and c not in covered}
