"""The visit letter's font settings: a bad one is a ConfigurationError, never its value."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifysdk.errors import ConfigurationError
from notifysdk_visitletter.fonts import find_fonts


@pytest.mark.parametrize("index", ["zz-secret-index", 1.5, True, -1, [0]])
def test_a_font_index_that_is_not_a_small_whole_number_is_refused(
    tmp_path: Path, index: object
) -> None:
    font = tmp_path / "font.ttf"
    font.write_bytes(b"not really a font")
    with pytest.raises(ConfigurationError) as info:
        find_fonts({"font_path": str(font), "font_index": index})
    assert str(info.value) == "[channels.visitletter] font_index: must be a whole number"
