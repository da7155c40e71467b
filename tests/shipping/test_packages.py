"""The packing rule: what an order's package weighs and measures, from the products' facts."""

from __future__ import annotations

import pytest

from production.config.shipping import BoxSpec, ItemPackage
from production.shipping.packages import MissingFactsError, PackedPackage, PackedUnit, pack

MUG = BoxSpec("mug", 130, 110, 110, weight_g=80, max_items=1)
GIFT = BoxSpec("gift", 300, 200, 150, weight_g=250, max_items=3)
FLAT = BoxSpec("flat", 400, 400, 60, weight_g=300)
BOXES = (MUG, GIFT, FLAT)


def unit(product: str, quantity: int = 1, **facts: object) -> PackedUnit:
    return PackedUnit(product, ItemPackage(**facts) if facts else None, quantity)  # type: ignore[arg-type]


def test_one_item_in_its_own_packaging_ships_as_it_is() -> None:
    sign = unit("SKU SIGN", weight_g=900, sides=(320, 320, 25))
    assert pack([sign], BOXES) == PackedPackage(900, 320, 320, 25, box=None)


def test_an_item_naming_a_box_ships_in_it_with_the_boxes_weight() -> None:
    assert pack([unit("SKU MUG", weight_g=350, box="mug")], BOXES) == PackedPackage(
        430, 130, 110, 110, box="mug"
    )


def test_the_largest_named_box_takes_the_order() -> None:
    units = [unit("SKU MUG", weight_g=350, box="mug"), unit("SKU SET", weight_g=500, box="gift")]
    assert pack(units, BOXES) == PackedPackage(350 + 500 + 250, 300, 200, 150, box="gift")


def test_more_items_than_their_box_takes_go_in_the_smallest_box_with_room_for_them() -> None:
    pair = BoxSpec("mug-2", 240, 130, 110, weight_g=140, max_items=2)
    assert pack([unit("SKU MUG", 2, weight_g=350, box="mug")], (*BOXES, pair)) == PackedPackage(
        2 * 350 + 140, 240, 130, 110, box="mug-2"
    )
    # Without the pair box, the gift box (room for 3, every side at least the mug box's).
    assert pack([unit("SKU MUG", 3, weight_g=350, box="mug")], BOXES).box == "gift"
    # The flat box is large enough by volume but too low for a mug box.
    with pytest.raises(MissingFactsError, match="box 'mug' takes 1 items, not 4"):
        pack([unit("SKU MUG", 4, weight_g=350, box="mug")], BOXES)
    tight = BoxSpec("tight", 260, 110, 110, weight_g=100, max_items=2)  # 2 × 130 long, not more
    assert pack([unit("SKU MUG", 2, weight_g=350, box="mug")], (MUG, tight)).box == "tight"
    with pytest.raises(MissingFactsError):
        pack([unit("SKU MUG", 2, weight_g=350, box="mug")], (MUG, BoxSpec("short", 250, 110,
             110, weight_g=100, max_items=2)))  # fmt: skip


def test_several_items_of_their_own_size_go_in_the_smallest_box_that_takes_them() -> None:
    coasters = unit("SKU COASTER", 3, weight_g=60, sides=(100, 100, 10))
    assert pack([coasters], BOXES).box == "gift"  # the mug box takes one item only; gift up to 3
    more = unit("SKU COASTER", 4, weight_g=60, sides=(100, 100, 10))
    assert pack([more], BOXES).box == "flat"  # four are over the gift box's max_items
    signs = unit("SKU SIGN", 2, weight_g=900, sides=(320, 320, 25))
    assert pack([signs], BOXES) == PackedPackage(2 * 900 + 300, 400, 400, 60, box="flat")


def test_items_no_box_takes_hold_the_order_saying_so() -> None:
    posters = unit("SKU POSTER", 2, weight_g=200, sides=(600, 400, 10))
    with pytest.raises(MissingFactsError, match=r"2 items \(SKU POSTER\) fit no \[\[box\]\]"):
        pack([posters], BOXES)


def test_missing_facts_name_every_product_without_them() -> None:
    units = [unit("SKU A"), unit("SKU B"), unit("SKU MUG", weight_g=350, box="mug")]
    with pytest.raises(MissingFactsError) as raised:
        pack(units, BOXES)
    assert raised.value.message.startswith("no package facts for SKU A, SKU B: add package =")
    assert "products.toml" in raised.value.message
