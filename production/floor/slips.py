"""An order's packing slip from what the shop holds: the store's records, the products' names,
the job tickets and the rendered print files.

Per order item: the product's name as products.toml gives it, the quantity Amazon sold, the
listing's options (from the item's ticket), and a thumbnail of each printed surface (from its
master PDF). The buyer's name and address and the gift message are not the shop's to keep: the
caller passes them from Amazon's order when it has them (the label purchase reads the order),
and the address is printed only where the shop turned it on (`[shipping] slip_address`).

A slip carries buyer data, so it is written only where the purge looks, named after the order
(`<orderId>.slip.pdf`): the label printer's hot folder (and its done folder, once printed), or
`data_dir/slips/` (`production slip`). Both are cleared with the order's other files and
searched by the audit (`production.retention.buyerfiles`). An order already purged has no
slip: one written then would be a leftover no purge ever removes.

    slips = SlipWriter(settings)   # one per service: it keeps the fonts it loaded
    slips.write(store, order_id, label_printer.hot_folder, marketplace_id=..., gift_message=...)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from printers.tickets import JobTicket
from production.config.settings import Settings
from production.core.errors import CustomizationError, PrinterError, RenderError
from production.core.files import missing_folder, write_atomically
from production.core.stems import SLIP_SUFFIX, TICKET_SUFFIX
from production.core.templates import Product, surface_key
from production.customization import parse_zip
from production.floor.folders import Folders
from production.store import ItemRecord, JobRecord, JobState, JobStore
from renderers.packing_slip import (
    PackingSlip,
    SlipAddress,
    SlipItem,
    SlipThumbnail,
    draw_packing_slip,
)
from renderers.slip_text import DEFAULT_EMOJI_FAMILY, SlipFonts
from renderers.thumbnails import pdf_thumbnail

__all__ = [
    "SlipWriter",
    "packing_slip",
    "render_packing_slip",
    "slip_fonts",
    "slip_name",
    "write_slip",
]


class SlipWriter:
    """Draws orders' slips into a folder; the fonts load on first use, again after
    `reconfigure` (the shop's font folders may have changed)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._fonts: SlipFonts | None = None

    def reconfigure(self, settings: Settings) -> None:
        self.settings = settings
        self._fonts = None

    def write(
        self,
        store: JobStore,
        order_id: str,
        folder: Path,
        *,
        marketplace_id: str | None = None,
        buyer: SlipAddress | None = None,
        gift_message: str | None = None,
    ) -> Path:
        """Draw the order's slip and put it into `folder` (which must exist) whole."""
        settings = self.settings
        slip = packing_slip(
            settings, store, order_id,
            marketplace_id=marketplace_id, buyer=buyer, gift_message=gift_message,
        )  # fmt: skip
        if self._fonts is None:
            self._fonts = slip_fonts(settings)
        return write_slip(folder, order_id, render_packing_slip(settings, slip, self._fonts))


def slip_fonts(settings: Settings) -> SlipFonts:
    """The faces slips and job sheets are set in: the shop's font folders and the system's,
    emoji in the shop's emoji family (`[fonts] emoji`) or Noto Color Emoji."""
    from production.floor.rendering import shop_font_index

    return SlipFonts(shop_font_index(settings), emoji=settings.fonts.emoji or DEFAULT_EMOJI_FAMILY)


def slip_name(order_id: str) -> str:
    """The slip's file name: the order's id, so that the purge finds it by name."""
    return f"{order_id}{SLIP_SUFFIX}"


def packing_slip(
    settings: Settings,
    store: JobStore,
    order_id: str,
    *,
    marketplace_id: str | None = None,
    buyer: SlipAddress | None = None,
    gift_message: str | None = None,
) -> PackingSlip:
    """The slip of `order_id`; `RenderError` for an order the store does not have.

    `marketplace_id` None: the one the item's zip names, else the shop's one marketplace if it
    pulls only one (else dates are ISO 8601). `buyer` is left off unless the shop prints
    addresses on slips.
    """
    items = store.items(order_id=order_id)
    if not items:
        raise RenderError("no such order in the job store", order_id=order_id)
    jobs = store.jobs(order_id=order_id)
    if jobs and all(job.state is JobState.PURGED for job in jobs):
        raise RenderError(
            "its buyer data was deleted (purged): it has no packing slip any more",
            order_id=order_id,
        )
    masters = Folders(settings.shop.data_dir).masters
    slip_items = [
        slip_item
        for item in items
        if (slip_item := _item(settings, item, _live(jobs, item), masters)) is not None
    ]
    ship_by = min((item.ship_by for item in items if item.ship_by is not None), default=None)
    marketplace_id = (
        marketplace_id or _zip_marketplace(settings, items) or _only_marketplace(settings)
    )
    return PackingSlip(
        order_id=order_id,
        marketplace_id=marketplace_id,
        ship_by=ship_by.date() if ship_by is not None else None,
        items=tuple(slip_items),
        shop_name=settings.shop.name,
        gift_message=gift_message,
        buyer=buyer if settings.slips.address else None,
    )


def render_packing_slip(settings: Settings, slip: PackingSlip, fonts: SlipFonts) -> bytes:
    """The slip's PDF on the paper the shop chose (`[shipping] slip_size`)."""
    return draw_packing_slip(slip, fonts, size=settings.slips.size)


def write_slip(folder: Path, order_id: str, pdf: bytes) -> Path:
    """Put the slip into `folder` whole (a hot folder's device never sees half a file); the
    folder must exist (a hot folder that is missing is a share gone away, never made here)."""
    path = folder / slip_name(order_id)
    if not folder.is_dir():
        raise PrinterError(
            f"the packing slip's folder {folder} {missing_folder(folder)}", order_id=order_id
        )
    try:
        write_atomically(path, pdf)
    except OSError as exc:
        raise PrinterError(
            f"cannot write the packing slip into {folder}: {exc.strerror or exc}",
            order_id=order_id,
        ) from exc
    return path


def _live(jobs: Sequence[JobRecord], item: ItemRecord) -> list[JobRecord]:
    """The item's jobs that go into the box: not the cancelled ones."""
    return [
        job
        for job in jobs
        if job.order_item_id == item.order_item_id and job.state is not JobState.CANCELLED
    ]


def _item(
    settings: Settings, item: ItemRecord, jobs: Sequence[JobRecord], masters: Path
) -> SlipItem | None:
    if not jobs:
        return None  # nothing of it is made (cancelled), or not yet planned
    tickets = [ticket for job in jobs if (ticket := _ticket(masters, job)) is not None]
    product = settings.product_for(item.asin, item.sku)
    name = product.name if product is not None else (tickets[0].product if tickets else None)
    options = tuple((o.label, o.value) for o in tickets[0].options) if tickets else ()
    thumbnails = tuple(
        SlipThumbnail(job.surface, pdf_thumbnail(pdf.read_bytes()))
        for job in _in_product_order(jobs, product)
        if (pdf := masters / f"{job.stem}.pdf").is_file()
    )
    return SlipItem(
        product_name=name or item.sku or item.asin or item.order_item_id,
        quantity=item.quantity,
        options=options,
        thumbnails=thumbnails,
        sku=item.sku,
    )


def _in_product_order(jobs: Sequence[JobRecord], product: Product | None) -> list[JobRecord]:
    """The jobs in the order the product lists its surfaces (front before back)."""
    names = [surface_key(s.name) for s in product.surfaces] if product is not None else []

    def place(job: JobRecord) -> int:
        key = surface_key(job.surface)
        return names.index(key) if key in names else len(names)

    return sorted(jobs, key=place)


def _ticket(masters: Path, job: JobRecord) -> JobTicket | None:
    path = masters / f"{job.stem}{TICKET_SUFFIX}"
    try:
        return JobTicket.from_json(path.read_bytes())
    except FileNotFoundError:
        return None  # not rendered yet, or purged


def _zip_marketplace(settings: Settings, items: Sequence[ItemRecord]) -> str | None:
    """The marketplace an item's zip names (Amazon writes `marketplaceId` into it)."""
    for item in items:
        if not item.zip_path:
            continue
        try:
            data = Path(item.zip_path).read_bytes()
            customization = parse_zip(data, source=item.order_item_id, limits=settings.limits)
        except (OSError, CustomizationError):
            continue  # purged, or a zip that never parsed: the next item's, or the shop's
        if customization.item.marketplace_id:
            return customization.item.marketplace_id
    return None


def _only_marketplace(settings: Settings) -> str | None:
    marketplaces = settings.amazon.marketplace_ids if settings.amazon is not None else ()
    return marketplaces[0] if len(marketplaces) == 1 else None
