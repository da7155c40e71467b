"""Shipping labels on the desk (`[shipping] labels = "amazon"`): what each package's label shows,
and what a person does with it — buy (again, once the refusal is dealt with), void, reprint a
damaged one, split the order into packages, and with `buy = "scan"` buy it by scanning.

Every action calls Amazon through `Labels` and blocks: the desk runs it in the thread pool.
Amazon's words for a refusal are shown as they came (the templates escape them); nothing here
holds buyer data (labels hold ids, tracking numbers, carriers, costs and Amazon's messages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from starlette.datastructures import FormData

from production.core.errors import AmazonError, ProductionError
from production.core.marketplace_formats import format_money
from production.shipping.carriers import canonical_carrier
from production.shipping.labels import Labels
from production.store import LabelRecord, LabelState

__all__ = [
    "LABEL_ACTIONS",
    "LABEL_WORDS",
    "LabelDesk",
    "LabelView",
    "split_form",
    "tracking_url",
]

_L = LabelState
LABEL_WORDS = {
    _L.PLANNED.value: "to buy",
    _L.HELD.value: "held",
    _L.REFUSED.value: "refused",
    _L.BUYING.value: "buying",
    _L.BOUGHT.value: "bought",
    _L.VOIDING.value: "voiding",
    _L.VOID_REFUSED.value: "void refused",
    _L.VOIDED.value: "voided",
}
# The carriers' own tracking pages, by the desk's carrier names (`shipping.carriers`).
_TRACKING_PAGES = {
    "UPS": "https://www.ups.com/track?tracknum={}",
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={}",
    "DHL": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={}",
    "Amazon Logistics": "https://track.amazon.com/tracking/{}",
    "OnTrac": "https://www.ontrac.com/tracking/?number={}",
    "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    "Canada Post": "https://www.canadapost-postescanada.ca/track-reperez/en#/search?searchFor={}",
    "Deutsche Post": "https://www.deutschepost.de/sendung/simpleQuery.html?form.sendungsnummer={}",
}
_KINDS = ("ok", "warning", "error")  # a flash's kinds, the worst last
LABEL_ACTIONS = ("buy", "void", "reprint", "split")  # POST /orders/{id}/labels/{action}


def tracking_url(carrier: str, tracking: str) -> str | None:
    """The carrier's tracking page for this number; None for a carrier not known here."""
    page = _TRACKING_PAGES.get(canonical_carrier(carrier))
    return None if page is None or not tracking else page.format(quote(tracking, safe=""))


@dataclass(frozen=True, slots=True)
class LabelView:
    """One package's label as the order page shows it."""

    record: LabelRecord
    carrier: str
    service: str
    cost: str  # with its currency, as the marketplace writes money
    tracking_url: str | None

    @property
    def words(self) -> str:
        return LABEL_WORDS[self.record.state.value]

    @property
    def items(self) -> str:
        return ", ".join(f"{quantity} × {item}" for item, quantity in self.record.items)


def split_form(form: FormData) -> list[list[tuple[str, int]]]:
    """The split form's rows (item, package number, quantity) as packages in number order;
    rows of quantity 0 are left out. `ValueError` with what is wrong."""
    items, numbers, quantities = (form.getlist(name) for name in ("item", "package", "quantity"))
    if not items or not len(items) == len(numbers) == len(quantities):
        raise ValueError("the split form is incomplete; reload the page")
    packages: dict[int, list[tuple[str, int]]] = {}
    for item, number, quantity in zip(items, numbers, quantities, strict=True):
        try:
            package, count = int(str(number)), int(str(quantity) or "0")
        except ValueError:
            raise ValueError("package numbers and quantities are whole numbers") from None
        if package < 1 or count < 0:
            raise ValueError("package numbers start at 1; quantities are 0 or more")
        if count:
            packages.setdefault(package, []).append((str(item), count))
    return [packages[number] for number in sorted(packages)]


class LabelDesk:
    """The desk's side of `Labels`: views of an order's labels and a person's actions."""

    def __init__(self, labels: Labels, *, marketplace_id: str | None) -> None:
        self.labels = labels
        self.marketplace_id = marketplace_id

    @property
    def buy_on_scan(self) -> bool:
        return self.labels.settings().shipping.buy == "scan"

    def buys_again(self, order_id: str) -> bool:
        """Every label of the order was voided by a person: Buy label buys them again."""
        return bool(self.labels.voided_to_buy_again(order_id))

    def views(self, records: Sequence[LabelRecord]) -> tuple[LabelView, ...]:
        return tuple(map(self.view, records))

    def view(self, record: LabelRecord) -> LabelView:
        intent = record.intent
        if intent is None:
            return LabelView(record, "", "", "", None)
        cost = self.money(intent.cost, intent.currency)
        link = tracking_url(intent.carrier, record.tracking or "")
        return LabelView(record, canonical_carrier(intent.carrier), intent.service, cost, link)

    def money(self, amount: Decimal, currency: str) -> str:
        return format_money(amount, currency, self.marketplace_id)

    # -- actions (blocking: called in the thread pool) ------------------------------------------

    def act(self, action: str, order_id: str, form: FormData) -> tuple[str, str]:
        """The flash (kind, message) of a label action on the order's page."""
        voided = ""
        if action == "reprint":  # the new labels are what `reprint_label` answers: say which went
            old = [r.tracking for r in self.labels.store.labels(order_id=order_id)
                   if r.state is _L.BOUGHT and r.tracking]  # fmt: skip
            voided = f"Voided {', '.join(old)}. " if old else ""
        try:
            records = self._do(action, order_id, form)
        except ValueError as exc:
            return "error", f"Order {order_id}: {exc}"
        except AmazonError as exc:
            return (
                "error",
                f"Order {order_id}: Amazon did not finish it ({exc.message}); try again.",
            )
        except ProductionError as exc:
            return "error", f"Order {order_id}: {exc.message}"
        return self.outcome(order_id, records, first=voided)

    def scanned(self, order_id: str) -> tuple[str, str] | None:
        """`buy = "scan"`: the label of an order scanned once it is printed; None: nothing to
        buy (not printed yet, or every package has its label)."""
        if not self.buy_on_scan or not self.labels.store.ready_to_ship(order_id):
            return None
        waiting = [
            r for r in self.labels.store.labels(order_id=order_id) if r.state is not _L.VOIDED
        ]
        if waiting and all(r.state not in (_L.PLANNED, _L.HELD, _L.REFUSED) for r in waiting):
            return None
        return self.act("buy", order_id, FormData())

    def _do(self, action: str, order_id: str, form: FormData) -> list[LabelRecord]:
        if action == "buy":
            return self.labels.buy_label(order_id)
        if action == "void":
            return self.labels.void_label(order_id)
        if action == "reprint":
            return self.labels.reprint_label(order_id)
        if action == "split":
            planned = self.labels.split(order_id, split_form(form))
            if not self.labels.store.ready_to_ship(order_id):
                return planned  # bought when printed (or scanned)
            return self.labels.buy_label(order_id)
        raise ValueError(f"no label action {action[:20]!r}")

    def outcome(
        self, order_id: str, records: Sequence[LabelRecord], *, first: str = ""
    ) -> tuple[str, str]:
        """One flash for what became of each package, of the worst kind among them."""
        said = [self._said(record) for record in records]
        kind = max((k for k, _ in said), key=_KINDS.index, default="ok")
        return kind, f"Order {order_id}: {first}" + " ".join(text for _, text in said)

    def _said(self, record: LabelRecord) -> tuple[str, str]:
        package = f"Package {record.package_ref}"
        view = self.view(record)
        state = record.state
        if state is _L.BOUGHT:
            service = view.service
            if not service.startswith(view.carrier):  # "USPS Priority Mail" names its carrier
                service = f"{view.carrier} {service}"
            return "ok", (f"{package}: label bought ({service}, {record.tracking}, {view.cost});"
                          " it is in the label printer's folder.")  # fmt: skip
        if state is _L.VOIDED:
            return "ok", f"{package}: label {record.tracking or ''} voided."
        if state is _L.REFUSED:
            return "error", f"{package}: Amazon refused the label: {record.message}"
        if state is _L.VOID_REFUSED:
            return "error", f"{package}: Amazon refused to void the label: {record.message}"
        if state is _L.HELD:
            return "warning", f"{package}: held: {record.message}"
        if state in (_L.BUYING, _L.VOIDING):
            return "warning", (f"{package}: Amazon did not answer; it is asked again with the"
                               " same key (never two labels).")  # fmt: skip
        return "ok", f"{package}: planned; its label is bought once it is printed."
