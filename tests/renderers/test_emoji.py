"""Emoji in a buyer's line: the runs they are cut into, their names, and what holds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from renderers.emoji import emoji_clusters, emoji_name, emoji_problems, split_emoji
from renderers.fonts import FontIndex, ResolvedFont

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


@pytest.fixture(scope="module")
def fonts() -> FontIndex:
    return FontIndex([])


@pytest.fixture(scope="module")
def roboto(fonts: FontIndex) -> ResolvedFont:
    return fonts.resolve("Roboto")


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("Love you ❤️", [("Love you ", False), ("❤\ufe0f", True)]),
        ("🐶 Max", [("🐶", True), (" Max", False)]),
        (f"We {FAMILY}!", [("We ", False), (FAMILY, True), ("!", False)]),
        ("🇩🇪🇫🇷", [("🇩🇪🇫🇷", True)]),  # two flags side by side: one run
        ("ok 👍🏽", [("ok ", False), ("👍🏽", True)]),
        ("1️⃣ place", [("1\ufe0f\u20e3", True), (" place", False)]),
        (f"{ENGLAND} fan", [(ENGLAND, True), (" fan", False)]),
        # Text presentation asked for with VS15, and text-default characters, stay text.
        ("I ❤\ufe0e NY", [("I ❤\ufe0e NY", False)]),
        ("© 2024 #1 ™", [("© 2024 #1 ™", False)]),
        # Combining marks and Indic clusters (which use ZWJ too) are not emoji.
        ("Zoë नमस्ते", [("Zoë नमस्ते", False)]),
        ("", []),
    ],
)
def test_a_line_is_cut_into_text_and_whole_emoji(text: str, runs: list[tuple[str, bool]]) -> None:
    assert split_emoji(text) == runs
    assert "".join(run for run, _ in split_emoji(text)) == text


def test_a_newer_sequence_than_any_list_stays_one_cluster() -> None:
    # A ZWJ sequence no emoji list has (dog + ZWJ + laptop) is still one user-visible thing.
    made_up = "🐶\u200d💻"
    assert split_emoji(made_up) == [(made_up, True)]
    assert emoji_name(made_up) == "DOG FACE + PERSONAL COMPUTER"


def test_a_text_default_pictograph_the_font_lacks_falls_back_to_emoji(
    roboto: ResolvedFont,
) -> None:
    # Roboto has no U+2764: a browser draws it from the emoji font, and so do we.
    assert split_emoji("I ❤ NY", text_font=roboto) == [("I ", False), ("❤", True), (" NY", False)]
    assert split_emoji("I ❤\ufe0e NY", text_font=roboto) == [("I ❤\ufe0e NY", False)]


@pytest.mark.parametrize(
    ("cluster", "name"),
    [
        ("❤\ufe0f", "RED HEART"),
        ("❤", "RED HEART"),
        ("🐶", "DOG FACE"),
        (FAMILY, "FAMILY MAN WOMAN GIRL"),
        ("🇩🇪", "FLAG: GERMANY"),
        (ENGLAND, "FLAG: ENGLAND"),
        ("👍🏽", "THUMBS UP MEDIUM SKIN TONE"),
        ("1\ufe0f\u20e3", "KEYCAP 1"),
    ],
)
def test_emoji_are_named_as_people_know_them(cluster: str, name: str) -> None:
    assert emoji_name(cluster) == name


def test_emoji_are_listed_once_each() -> None:
    assert emoji_clusters("🐶❤️ Max 🐶 ❤︎") == ["🐶", "❤\ufe0f"]


def test_without_an_emoji_font_the_emoji_are_named_with_the_fix(roboto: ResolvedFont) -> None:
    messages, rest = emoji_problems(roboto, "Love you ❤️ 🐶 世")
    assert messages == [
        "emoji 'RED HEART', 'DOG FACE' are not in font 'Roboto'; set [fonts] emoji in "
        "shop.toml to print emoji"
    ]
    assert rest == {"世"}  # left to the ordinary missing-glyph rule


def test_a_symbol_font_that_has_the_emoji_prints_them(fonts: FontIndex) -> None:
    symbola = fonts.resolve("Symbola")
    assert emoji_problems(symbola, "Love you ❤️ 🐶") == ([], set())


def test_an_emoji_the_emoji_font_lacks_is_named(fonts: FontIndex, tmp_path: Path) -> None:
    roboto, noto = fonts.resolve("Roboto"), fonts.resolve("Noto Color Emoji")
    assert emoji_problems(roboto, "Love you ❤️ 🐶", noto) == ([], set())
    symbola = fonts.resolve("Symbola")  # Unicode 9: no shaking face (Unicode 15)
    messages, _ = emoji_problems(roboto, "hi \U0001fae8", symbola)
    assert messages == [
        "emoji 'SHAKING FACE' is not in the emoji font 'Symbola' ([fonts] emoji in shop.toml); "
        "install a newer version of it or name another emoji font there"
    ]


def test_a_line_without_emoji_characters_is_one_text_run_found_without_clusters() -> None:
    from renderers.emoji import grapheme_clusters, is_emoji

    # Below U+2000 only # * 0-9 © ® are emoji characters: every other line is text, as the
    # grapheme clusters say too.
    for line in ["Best Dad Ever", "José & Zoë — 1st!", "Straße ŁÓDŹ ǅ", "#1 * 2", ""]:
        clusters = grapheme_clusters(line)
        assert not any(is_emoji(cluster) for cluster in clusters)
        assert split_emoji(line) == ([(line, False)] if line else [])
    assert split_emoji("a ©") == [("a ©", False)]  # looked at cluster by cluster: text
    assert split_emoji("a \u00a9\ufe0f") == [("a ", False), ("\u00a9\ufe0f", True)]
    assert split_emoji("#\ufe0f\u20e3 go") == [("#\ufe0f\u20e3", True), (" go", False)]
