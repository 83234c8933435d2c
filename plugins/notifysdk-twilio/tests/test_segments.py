"""GSM-7 / UCS-2 segment counting at every boundary."""

from __future__ import annotations

import pytest

from notifysdk_twilio import count_segments


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # 160 septets
        ("€" * 81, "GSM-7", 2),
        ("é@£¥ÄÖÑÜ§¿" * 16, "GSM-7", 1),  # accented letters of the basic table: 1 septet
        ("中" * 70, "UCS-2", 1),
        ("中" * 71, "UCS-2", 2),
        ("中" * 134, "UCS-2", 2),
        ("中" * 135, "UCS-2", 3),
        ("a" * 69 + "中", "UCS-2", 1),  # one Chinese character switches the whole text
        ("a" * 100 + "中", "UCS-2", 2),
        ("ç" * 10, "UCS-2", 1),  # lower-case ç is not in GSM-7 (only Ç is)
    ],
)
def test_boundaries(text: str, encoding: str, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.segments) == (encoding, segments)


def test_an_escaped_character_is_not_split_across_parts() -> None:
    # 152 septets then '€' (2): it does not fit the 153 of part one, so it opens part two.
    text = "a" * 152 + "€" + "a" * 152
    count = count_segments(text)
    assert count.units == 306 and count.segments == 3


def test_an_emoji_takes_two_code_units_and_is_never_split() -> None:
    assert count_segments("😀" * 35).units == 70
    assert count_segments("😀" * 35).segments == 1
    text = "中" * 66 + "😀" + "中" * 66  # 134 units, but the pair cannot straddle 67
    assert count_segments(text).segments == 3


def test_detail_carries_numbers_only() -> None:
    detail = count_segments("您好，请回电").as_detail()
    assert detail == {"encoding": "UCS-2", "segments": 1, "units": 6, "characters": 6}
