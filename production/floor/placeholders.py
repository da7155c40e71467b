"""The job an item has before it can be rendered: one for the whole item.

Its own small module because the CLI's `jobs` and the desk name it, and neither should import
the pipeline (and with it the renderers) to do so.
"""

from __future__ import annotations

from production.store.records import NewJob

__all__ = ["ALL_SURFACES", "NO_ZIP_YET", "placeholder_job"]

NO_ZIP_YET = (
    "the customization zip has not arrived: download it from Seller Central (Manage Orders, "
    "the order, Customization) and drop it into the inbox"
)


ALL_SURFACES = "*"
"""The surface of an item's placeholder job: the whole item, not rendered (its surfaces are
not known until it renders)."""


def placeholder_job(order_id: str, order_item_id: str) -> NewJob:
    """The job an item has while it cannot be rendered at all (its surfaces are unknown)."""
    return NewJob(f"{order_item_id}-item", ALL_SURFACES, None, f"{order_id}_{order_item_id}")
