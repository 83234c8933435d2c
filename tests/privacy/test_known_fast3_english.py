"""An English address's city read without taking postcodes out of each comma-separated
piece when the rest of the address holds none (a postcode holds no comma, so a piece
holds one only where the whole does), held to the parse as first written."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifysdk.privacy.addresses import (
    _EN_AFTER_FLAT,
    _EN_PARSE,
    _EN_POST,
    _EN_TYPES,
    EnglishAddress,
)
from notifysdk.privacy.normalize import normalize_value


def reference_of(address: str) -> EnglishAddress | None:
    """:meth:`EnglishAddress.of` as first written."""
    m = _EN_PARSE.search(address)
    if m is None:
        return None
    rest = address[m.end() :]
    if not rest:
        return EnglishAddress(
            m.group(3), m.group(4), _EN_TYPES[m.group(5)], m.group(1) or m.group(2) or ""
        )
    after = _EN_AFTER_FLAT.match(rest)
    flat = m.group(1) or m.group(2) or (after.group(1) if after else "")
    if after:
        rest = rest[after.end() :]
    post = _EN_POST.search(rest)
    city = ""
    for c in rest.split(","):
        chunk = _EN_POST.sub("", c).strip(" .")
        if chunk.replace(" ", "").isalpha() and len(chunk) > 2:
            city = chunk
            break
    return EnglishAddress(
        number=m.group(3),
        street=m.group(4),
        street_type=_EN_TYPES[m.group(5)],
        flat=flat,
        postcode=post.group(0).replace(" ", "") if post else "",
        city=city,
    )


_PIECES = st.sampled_from(
    [
        "12 Sample Road",
        "Flat 3",
        "flat 3, 12 sample rd.",
        "3/12 Sample Road",
        "London",
        "SW1A 1AA",
        "sw1a1aa",
        "M10 6YF",
        "62704",
        "62704-1234",
        "Springfield IL 62704",
        "CN",
        "GB",
        "Shanghai",
        "x1 2ab",
        "a1 2bc London",
        "Apt 4B",
        "",
        " ",
        ".",
        "123456",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.one_of(_PIECES, st.text(alphabet="ab19 ,.-/'sw", max_size=12)), min_size=1, max_size=6
    ),
    st.sampled_from([", ", ",", " ", " , "]),
)
@example(["1 Sample Road", "Shanghai", "CN"], ", ")
@example(["12 Sample Road", "London SW1A 1AA", "GB"], ", ")
@example(["12 Sample Road", "SW1A 1AA London", "GB"], ", ")
def test_an_english_address_parses_as_first_written(pieces: list[str], sep: str) -> None:
    address = normalize_value(sep.join(pieces))
    assert EnglishAddress.of(address) == reference_of(address)
    assert EnglishAddress.of(address + ", 12 sample road") == reference_of(
        address + ", 12 sample road"
    )
