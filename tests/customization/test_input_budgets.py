"""Every input within a budget: over one, the zip is refused in one line naming the item, what is
over, and the `[limits]` key of shop.toml that raises it, before anything is measured or drawn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from production.config.settings import load_settings
from production.core.errors import ConfigError, CustomizationError
from production.customization import DEFAULT_LIMITS, ZipLimits, parse_zip
from tests.customization.budget_zips import (
    ITEM,
    SVG_FONT_SIZE,
    SVG_MATRIX,
    engraved,
    engraved_json,
    in_svg,
    placement,
    with_svg_elements,
    with_text,
)

_STYLE = 'style="stroke: none; stroke-width: 1;'  # the text's inline style


def refusal(data: bytes, key: str, *words: str, limits: ZipLimits = DEFAULT_LIMITS) -> str:
    """The one-line message `parse_zip` refuses `data` with; it names `key` and the item."""
    with pytest.raises(CustomizationError) as caught:
        parse_zip(data, source="hostile.zip", limits=limits)
    message = str(caught.value)
    assert message.startswith(f"order item {ITEM}: "), message
    assert f"({key} in shop.toml [limits])" in message, message
    assert "over the limit of" in message, message
    for word in words:
        assert word in message, message
    assert "\n" not in message and len(message) < 300, message
    return message


# -- texts ------------------------------------------------------------------------------------


def test_a_text_of_a_million_characters_is_refused() -> None:
    message = refusal(with_text("x" * 1_000_000), "characters_per_text", "1,000,000 characters")
    assert "over the limit of 1,000 " in message
    assert "xxx" not in message  # never the buyer's words


def test_a_text_at_the_limit_passes() -> None:
    customization = parse_zip(with_text("x" * DEFAULT_LIMITS.max_text_chars))
    assert [len("".join(t.lines)) for t in customization.surfaces[0].texts] == [1000]


def test_a_long_label_is_cut_short_in_the_message() -> None:
    def edit(tree: dict[str, Any]) -> None:
        stack = [tree["customizationData"]]
        while stack:
            node = stack.pop()
            if node.get("type") == "TextCustomization" and node.get("inputValue"):
                node["label"], node["inputValue"] = "L" * 10_000, "x" * 2_000
            stack += node.get("children", [])

    message = refusal(engraved(document=edit), "characters_per_text", "2,000 characters")
    assert "L" * 59 + "…" in message and "L" * 61 not in message


def test_the_texts_of_a_surface_together_have_a_budget() -> None:
    limits = ZipLimits(max_surface_chars=700)
    refusal(with_text("x" * 800), "characters_per_surface", "800 characters", limits=limits)


def test_a_long_text_only_in_the_svg_is_refused_too() -> None:
    long_line = ">" + "y" * 2000 + "<"
    refusal(in_svg(">Happy Birthday<", long_line), "characters_per_text", "2,003 characters")


# -- the SVG ----------------------------------------------------------------------------------


def test_an_svg_of_a_million_elements_is_refused_while_it_is_read() -> None:
    refusal(with_svg_elements(1_000_000), "elements_per_svg", "too many elements", "10,000")


def test_an_svg_under_the_element_budget_passes() -> None:
    assert parse_zip(with_svg_elements(1_000)).item.order_item_id == ITEM


def test_an_svg_nested_too_deep_is_refused() -> None:
    nested = "<g>" * 100 + "</g>" * 100
    refusal(in_svg("</svg>", f"{nested}</svg>"), "svg_depth", "too deep")


def test_path_data_has_a_budget() -> None:
    path = '<path d="M 0 0' + " L 1 1" * 20_000 + '"/>'
    refusal(in_svg("</svg>", f"{path}</svg>"), "path_characters", "120,005 characters")


@pytest.mark.parametrize(
    ("old", "new", "key", "what"),
    [
        (SVG_MATRIX, "matrix(1e5 0 0 1e5 200 155)", "largest_scale", "scales an element"),
        (SVG_MATRIX, "matrix(1e-9 0 0 1e-9 200 155)", "largest_scale", "shrinks an element"),
        (SVG_MATRIX, "matrix(1 0 0 1 1e7 155)", "largest_coordinate", "moves an element"),
        (SVG_FONT_SIZE, 'font-size="1e30"', "largest_font_size", "font-size 1e+30"),
        (
            _STYLE,
            _STYLE.replace('"', '"font-size: 5000px; '),
            "largest_font_size",
            "font-size 5000",
        ),
        ('x="-150"', 'x="-1e12"', "largest_coordinate", "x=-1e+12"),
        ('<tspan x="-276.84339478"', '<tspan x="1e9"', "largest_coordinate", "x=1e+09"),
        ("</svg>", '<path d="M 0 0 L 1e308 5"/></svg>', "largest_coordinate", "path data"),
    ],
)
def test_numbers_out_of_range_are_refused_not_drawn(
    old: str, new: str, key: str, what: str
) -> None:
    refusal(in_svg(old, new), key, what)


def test_an_infinite_matrix_is_refused() -> None:
    with pytest.raises(CustomizationError) as caught:
        parse_zip(in_svg(SVG_MATRIX, "matrix(1e309 0 0 1e309 200 155)"))
    assert str(caught.value).endswith("has a transform that is not a finite number")


# -- the JSON ---------------------------------------------------------------------------------


def test_the_document_has_a_size_budget() -> None:
    limits = ZipLimits(max_document_bytes=1_000)
    refusal(engraved(), "document_bytes", "JSON document is", limits=limits)


def test_the_document_has_a_depth_budget() -> None:
    def nest(tree: dict[str, Any]) -> None:
        deep: Any = "end"
        for _ in range(150):
            deep = [deep]
        tree["extra"] = deep

    refusal(engraved(document=nest), "document_depth", "nested too deeply")


def test_a_tree_nested_thousands_deep_is_refused_in_a_short_line() -> None:
    document = json.loads(engraved_json())
    node = document["customizationData"]
    for _ in range(40):
        node["children"] = [{"type": "ContainerCustomization", "children": []}]
        node = node["children"][0]
    with pytest.raises(CustomizationError) as caught:
        parse_zip(engraved(json_bytes=json.dumps(document).encode()))
    message = str(caught.value)
    assert "nested deeper than any customization" in message and "at depth" in message
    assert message.count("children[0]") <= 3 and len(message) < 200, message


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda node: node["position"].update(x=1e12), "largest_coordinate"),
        (lambda node: node["dimension"].update(height=-1e15), "largest_coordinate"),
        (
            lambda node: node.get("buyerPlacement", {}).update(scale={"scaleX": 1e-9}),
            "largest_scale",
        ),
    ],
)
def test_json_numbers_out_of_range_are_refused(edit: Any, key: str) -> None:
    refusal(placement(edit), key)


# -- shop.toml --------------------------------------------------------------------------------


def test_shop_toml_sets_the_budgets(tmp_path: Path) -> None:
    (tmp_path / "shop.toml").write_text(
        "[limits]\ncharacters_per_text = 10\nelements_per_svg = 50\nlargest_scale = 100.5\n"
    )
    limits = load_settings(tmp_path).limits
    assert (limits.max_text_chars, limits.max_svg_elements) == (10, 50)
    assert limits.max_scale == 100.5
    assert limits.max_members == DEFAULT_LIMITS.max_members  # the others keep their defaults
    refusal(engraved(), "characters_per_text", "over the limit of 10 ", limits=limits)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("characters_per_text = 0", "at least 1"),
        ('elements_per_svg = "many"', "an integer"),
        ("largest_scale = 0.5", "at least 1"),
        ("charaters_per_text = 5", "did you mean 'characters_per_text'"),
    ],
)
def test_a_wrong_budget_is_a_configuration_error(tmp_path: Path, line: str, problem: str) -> None:
    (tmp_path / "shop.toml").write_text(f"[limits]\n{line}\n")
    with pytest.raises(ConfigError, match=problem):
        load_settings(tmp_path)


def test_the_shipped_configuration_keeps_the_defaults() -> None:
    from production.config.settings import DEFAULT_CONFIG_DIR

    assert load_settings(DEFAULT_CONFIG_DIR).limits == DEFAULT_LIMITS
