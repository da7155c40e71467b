"""What one package of an order weighs and measures, from its products' package facts.

The rule, in the order it is applied:

1. Every unit needs facts: a product's `package` in products.toml gives its weight and either
   its own sides (it ships in its own packaging) or the `[[box]]` it ships in. A unit without
   them holds the package, with one message naming the SKU and what to add.
2. Units naming a box go in the *largest* of the boxes the package's units name (by inner
   volume): a mug box and a gift box in one order ship in the gift box. That box must take
   every unit: no more than its `max_items`, and each unit with its own sides fitting inside.
   When it cannot (two mugs, a mug box of `max_items = 1`), they go in the *smallest*
   `[[box]]` that takes that many of it: room for as many items, no side shorter than the
   named box's, and the named box's volume per item for each of them (a "mug-2" box of
   240 × 130 × 110 mm takes two mugs of a 130 × 110 × 110 mm box).
3. Units with their own sides only: one unit ships as it is; several go in the *smallest*
   `[[box]]` of shop.toml that takes them (each unit fits its sides, their volumes together
   fit its volume, no more than its `max_items`).
4. The weight is every unit's weight plus the box's empty weight; the sides are the box's
   inner sides (or the lone unit's own).

No box takes them: the package is held, saying so (add a larger `[[box]]`, or split the order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from production.config.shipping import BoxSpec, ItemPackage
from production.core.errors import ProductionError

__all__ = ["MissingFactsError", "PackedPackage", "PackedUnit", "pack"]


class MissingFactsError(ProductionError):
    """A package cannot be measured: its message says what the shop must add or change."""

    cause = "package facts"


@dataclass(frozen=True, slots=True)
class PackedUnit:
    """An item of the package: its product (by SKU or ASIN, for messages), facts, quantity."""

    product: str
    facts: ItemPackage | None
    quantity: int


@dataclass(frozen=True, slots=True)
class PackedPackage:
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    box: str | None  # the `[[box]]` used; None: the one unit in its own packaging


def pack(units: Sequence[PackedUnit], boxes: Sequence[BoxSpec]) -> PackedPackage:
    """The package `units` make, by the rule above; `MissingFactsError` says what is missing."""
    missing = sorted({u.product for u in units if u.facts is None})
    if missing:
        raise MissingFactsError(
            f"no package facts for {', '.join(missing)}: add package = {{ weight_g = …,"
            ' length_mm = …, width_mm = …, height_mm = … }} (or box = "name" of a [[box]] in'
            " shop.toml) to its [[product]] in products.toml"
        )
    facts = [(u.facts, u.quantity, u.product) for u in units if u.facts is not None]
    count = sum(quantity for _, quantity, _ in facts)
    weight = sum(f.weight_g * quantity for f, quantity, _ in facts)
    named = {f.box for f, _, _ in facts if f.box is not None}
    if named:
        box = max((b for b in boxes if b.name in named), key=_volume)
        problem = _does_not_take(box, facts, count, by_volume=False)
        if not problem:
            return _in_box(box, weight)
        larger = _box_for_many(box, facts, count, boxes)
        if larger is None:
            raise MissingFactsError(f"box '{box.name}' {problem}: add a larger [[box]] (or"
                                    " split the order)")  # fmt: skip
        return _in_box(larger, weight)
    if count == 1:
        own = facts[0][0].sides
        assert own is not None
        return PackedPackage(weight, *own, box=None)
    for box in sorted(boxes, key=_volume):
        if not _does_not_take(box, facts, count, by_volume=True):
            return _in_box(box, weight)
    products = ", ".join(sorted({product for _, _, product in facts}))
    raise MissingFactsError(
        f"{count} items ({products}) fit no [[box]] of shop.toml: add a box that takes them"
        " (inner sides, weight_g, max_items), or split the order"
    )


def _does_not_take(
    box: BoxSpec, facts: Sequence[tuple[ItemPackage, int, str]], count: int, *, by_volume: bool
) -> str:
    """Why `box` cannot take these units; empty when it can."""
    if box.max_items is not None and count > box.max_items:
        return f"takes {box.max_items} items, not {count}"
    inner = sorted(box.sides)
    volume = 0
    for fact, quantity, product in facts:
        if fact.sides is None:
            continue
        if any(side > room for side, room in zip(sorted(fact.sides), inner, strict=True)):
            return f"is too small for {product}"
        volume += fact.sides[0] * fact.sides[1] * fact.sides[2] * quantity
    if by_volume and volume > _volume(box):
        return "is too small for them all"
    return ""


def _box_for_many(
    named: BoxSpec,
    facts: Sequence[tuple[ItemPackage, int, str]],
    count: int,
    boxes: Sequence[BoxSpec],
) -> BoxSpec | None:
    """The smallest box taking `count` items that each need `named`'s room (rule 2)."""
    per_item = _volume(named) / (named.max_items or 1)
    least = sorted(named.sides)
    fitting = [
        box
        for box in boxes
        if _volume(box) >= per_item * count
        and all(side >= need for side, need in zip(sorted(box.sides), least, strict=True))
        and not _does_not_take(box, facts, count, by_volume=False)
    ]
    return min(fitting, key=_volume, default=None)


def _in_box(box: BoxSpec, items_weight: int) -> PackedPackage:
    return PackedPackage(items_weight + box.weight_g, *box.sides, box=box.name)


def _volume(box: BoxSpec) -> int:
    return box.length_mm * box.width_mm * box.height_mm
