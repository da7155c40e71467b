"""The board's order cards, each rendered once for what it shows and then reused.

A change anywhere in the store renders the board anew, and 300 ready orders are 300 cards, most
of them the same as a moment ago. A card shows only its order's records (items, jobs, packages,
companion orders), whether each job has a proof and its listing options, and the products'
names: all of it goes into the key, so a kept card is exactly the card that would be rendered
now. Nothing per session goes into a card (its links need no form token).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import Template
from markupsafe import Markup

from production.desk.board import OrderView

__all__ = ["OrderCards"]

_KEPT = 4000  # cards remembered, the least recently shown go first: a few boards' worth


class OrderCards:
    """Rendered cards by what they show; safe across the desk's threads."""

    def __init__(self, template: Template, *, kept: int = _KEPT) -> None:
        self._template = template
        self._kept: OrderedDict[Hashable, Markup] = OrderedDict()
        self._size = kept
        self._lock = threading.Lock()

    def renderer(self, context: dict[str, Any]) -> Callable[[OrderView], Markup]:
        """`card(order)` for one page render, with that page's proof and option lookups."""
        proof_of = context["proof_of"]
        options_of = context["options_of"]
        product_name = context["product_name"]

        def card(order: OrderView) -> Markup:
            jobs = order.jobs
            key = (
                order,
                tuple(bool(proof_of(job)) for job in jobs),
                tuple(tuple(options_of(job)) for job in jobs),
                tuple(product_name(entry.item.asin, entry.item.sku) for entry in order.items),
            )
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None:
                    self._kept.move_to_end(key)
                    return kept
            made = Markup(self._template.render(order=order, **context))
            with self._lock:
                self._kept[key] = made
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
            return made

        return card
