"""The bidirectional algorithm's levels (GNU FriBidi) and the visual order of rule L2."""

from __future__ import annotations

from renderers.bidi import embedding_levels, visual_order


def _display(text: str) -> str:
    """The characters of `text` in visual order, as UAX #9's own examples are written."""
    levels = embedding_levels(text)
    return "".join(text[index] for index in visual_order(levels))


def test_latin_text_is_all_level_zero() -> None:
    assert embedding_levels("Zoë, 12 ½") == (0,) * 9
    assert embedding_levels("") == ()


def test_a_hebrew_line_is_right_to_left_from_its_first_letter() -> None:
    assert embedding_levels("שלום abc") == (1, 1, 1, 1, 1, 2, 2, 2)
    assert _display("שלום abc") == "abc םולש"


def test_numbers_after_hebrew_join_its_run() -> None:
    assert embedding_levels("Love שלום 123") == (0,) * 5 + (1,) * 5 + (2,) * 3
    assert _display("Love שלום 123") == "Love 123 םולש"


def test_brackets_take_the_direction_of_what_they_enclose() -> None:
    # Rule N0: the pair around Latin in a Hebrew line is at the Hebrew level.
    levels = embedding_levels("שלום (abc) 12")
    assert levels[5] == levels[9] == 1
    assert levels[6:9] == (2, 2, 2)


def test_an_isolate_keeps_its_own_direction() -> None:
    text = "a\u2067שלום abc\u2069 x"  # RIGHT-TO-LEFT ISOLATE … POP DIRECTIONAL ISOLATE
    levels = embedding_levels(text)
    assert levels[2:7] == (1,) * 5 and levels[7:10] == (2,) * 3 and levels[-2:] == (0, 0)


def test_visual_order_reverses_from_the_highest_level_down() -> None:
    assert visual_order([0, 1, 1, 2, 2, 1, 0]) == [0, 5, 3, 4, 2, 1, 6]
    assert visual_order([1, 1, 1]) == [2, 1, 0]
    assert visual_order([0, 2, 2, 0]) == [0, 1, 2, 3]  # two reversals cancel out
    assert visual_order([]) == []
