"""A1 notation round trips (property-based) and a few fixed cases."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from . import a1

titles = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
    lambda t: "!" not in t
)


@given(st.integers(0, 18277))
def test_column_letters_round_trip(index):
    assert a1.col_index(a1.col_letter(index)) == index


@given(titles, st.integers(0, 999), st.integers(0, 700), st.integers(1, 50), st.integers(1, 30))
def test_format_then_parse(title, row0, col0, height, width):
    text = a1.format_range(title, row0, col0, row0 + height, col0 + width)
    parsed = a1.parse(text)
    assert (parsed.sheet, parsed.row0, parsed.col0, parsed.row1, parsed.col1) == (
        title,
        row0,
        col0,
        row0 + height,
        col0 + width,
    )


def test_open_ranges():
    assert a1.parse("'Лист 1'!A:C") == a1.A1("Лист 1", None, 0, None, 3)
    assert a1.parse("B2:D") == a1.A1(None, 1, 1, None, 4)
    assert a1.parse("2:5") == a1.A1(None, 1, None, 5, None)
    assert a1.parse("'It''s'") == a1.A1("It's")
