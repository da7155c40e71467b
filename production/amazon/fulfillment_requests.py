"""What the shop sends to Multi-Channel Fulfillment: addresses, items, order ids, request bodies.

Rules the Fulfillment Outbound model states in prose (40-character ids, 100 lines and 250
units per order, no Hold with ScheduledDelivery, no two spaces in a row in the displayable id)
are checked before a request leaves, as `validation` does for the Orders API. Messages name
the field, never an address value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from production.amazon import readers as read
from production.amazon.errors import RequestValidationError
from production.amazon.validation import timestamp

__all__ = [
    "DEFAULT_ORDER_COMMENT",
    "FULFILLMENT_ACTIONS",
    "FULFILLMENT_POLICIES",
    "MAX_SELLER_FULFILLMENT_ORDER_ID",
    "SHIPPING_SPEEDS",
    "DestinationAddress",
    "FulfillmentItem",
    "order_body",
    "preview_body",
    "seller_fulfillment_order_id",
    "update_body",
]

MAX_SELLER_FULFILLMENT_ORDER_ID = 40
MAX_ITEM_ID = 50
MAX_SKU = 50
MAX_LINES = 100
MAX_UNITS = 250
MAX_COMMENT = 750
MAX_EMAIL = 64
SHIPPING_SPEEDS = ("Standard", "Expedited", "Priority", "ScheduledDelivery")
FULFILLMENT_ACTIONS = ("Ship", "Hold")
FULFILLMENT_POLICIES = ("FillOrKill", "FillAll", "FillAllAvailable")
DEFAULT_ORDER_COMMENT = "Thank you for your order."  # printed on the packing slip
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")  # Amazon reads "+" as a space, and spaces break lookups
_COUNTRY = re.compile(r"[A-Z]{2}")
_SOURCE = "SP-API request"


@dataclass(frozen=True, slots=True)
class DestinationAddress:
    """A buyer's shipping address in the MCF shape; its repr shows the country only."""

    name: str = field(repr=False)
    address_line1: str = field(repr=False)
    postal_code: str = field(repr=False)
    country_code: str
    address_line2: str = field(default="", repr=False)
    address_line3: str = field(default="", repr=False)
    city: str = field(default="", repr=False)
    district_or_county: str = field(default="", repr=False)
    state_or_region: str = field(default="", repr=False)
    phone: str = field(default="", repr=False)

    @classmethod
    def from_order_address(cls, raw: Mapping[str, Any]) -> DestinationAddress | None:
        """An Orders v0 `ShippingAddress`; None if it lacks a name, street or postal code."""
        lines = [read.text(raw.get(f"AddressLine{n}")) for n in (1, 2, 3)]
        lines = [line for line in lines if line] + ["", "", ""]  # no empty first line
        address = cls(
            name=read.text(raw.get("Name")),
            address_line1=lines[0],
            address_line2=lines[1],
            address_line3=lines[2],
            city=read.text(raw.get("City")),
            district_or_county=read.text(raw.get("County")) or read.text(raw.get("District")),
            state_or_region=read.text(raw.get("StateOrRegion")),
            postal_code=read.text(raw.get("PostalCode")),
            country_code=read.text(raw.get("CountryCode")).upper(),
            phone=read.text(raw.get("Phone")),
        )
        return address if address.name and address.address_line1 and address.postal_code else None

    def as_json(self) -> dict[str, str]:
        fields = {
            "name": self.name,
            "addressLine1": self.address_line1,
            "addressLine2": self.address_line2,
            "addressLine3": self.address_line3,
            "city": self.city,
            "districtOrCounty": self.district_or_county,
            "stateOrRegion": self.state_or_region,
            "postalCode": self.postal_code,
            "countryCode": self.country_code,
            "phone": self.phone,
        }
        return {key: value.strip() for key, value in fields.items() if value.strip()}

    def private_values(self) -> tuple[str, ...]:
        """What identifies the buyer, longest first: to be cut out of anything shown or logged.

        The name also word by word, since a message may quote the surname alone.
        """
        values = {
            *(self.name, self.address_line1, self.address_line2, self.address_line3),
            *(self.city, self.district_or_county, self.postal_code, self.phone),
            *self.name.split(),
        }
        kept = {value.strip() for value in values if len(value.strip()) >= 3}
        return tuple(sorted(kept, key=lambda value: (-len(value), value)))

    def check(self, order_id: str | None = None) -> None:
        for label, value in (
            ("name", self.name),
            ("address line 1", self.address_line1),
            ("postal code", self.postal_code),
        ):
            if not value.strip():
                raise _invalid(f"the destination address has no {label}", order_id)
        if not _COUNTRY.fullmatch(self.country_code):
            raise _invalid(
                "the destination address needs a two-letter ISO 3166 country code", order_id
            )


@dataclass(frozen=True, slots=True)
class FulfillmentItem:
    """One line of a fulfillment order (or preview): a seller SKU stocked at Amazon."""

    seller_sku: str
    quantity: int
    seller_item_id: str = ""  # sellerFulfillmentOrderItemId, unique in the order; the SKU if ""

    @property
    def item_id(self) -> str:
        return self.seller_item_id or self.seller_sku

    def as_json(self) -> dict[str, Any]:
        return {
            "sellerSku": self.seller_sku,
            "sellerFulfillmentOrderItemId": self.item_id,
            "quantity": self.quantity,
        }


def seller_fulfillment_order_id(amazon_order_id: str, part: str = "") -> str:
    """The MCF order id for (a part of) an Amazon order: the same on every retry.

    Letters, digits and dashes only, at most 40 characters; a longer one keeps its start and
    ends in a digest of the whole, so two parts never share an id.
    """
    whole = "-".join(p.strip() for p in (amazon_order_id, part) if p.strip())
    safe = _UNSAFE.sub("-", whole).strip("-")
    if not safe:
        raise _invalid("a fulfillment order id needs an Amazon order id", None)
    if len(safe) <= MAX_SELLER_FULFILLMENT_ORDER_ID:
        return safe
    digest = hashlib.sha256(whole.encode()).hexdigest()[:10]
    return f"{safe[: MAX_SELLER_FULFILLMENT_ORDER_ID - 11].rstrip('-')}-{digest}"


def check_order_id(value: str, *, name: str, order_id: str | None) -> str:
    """A seller or displayable order id: 1 to 40 characters, no two spaces in a row."""
    value = value.strip()
    if not 1 <= len(value) <= MAX_SELLER_FULFILLMENT_ORDER_ID:
        raise _invalid(f"{name} must be 1 to 40 characters, not {len(value)}", order_id)
    if "  " in value:
        raise _invalid(f"{name} must not contain two spaces in a row", order_id)
    return value


def preview_body(
    address: DestinationAddress,
    items: Sequence[FulfillmentItem],
    *,
    speeds: Sequence[str],
    marketplace_id: str | None,
    order_id: str | None,
) -> dict[str, Any]:
    address.check(order_id)
    body: dict[str, Any] = {"address": address.as_json(), "items": _items(items, order_id)}
    if speeds:
        body["shippingSpeedCategories"] = [
            _choice(s, SHIPPING_SPEEDS, "speed", order_id) for s in speeds
        ]
    if marketplace_id:
        body["marketplaceId"] = marketplace_id
    return body


def order_body(
    seller_order_id: str,
    *,
    address: DestinationAddress,
    items: Sequence[FulfillmentItem],
    displayable_order_id: str,
    displayable_order_date: datetime,
    displayable_order_comment: str,
    shipping_speed: str,
    action: str,
    policy: str | None,
    marketplace_id: str | None,
    notification_emails: Sequence[str],
    order_id: str | None,
) -> dict[str, Any]:
    """createFulfillmentOrder's body; the same arguments always give the same body."""
    address.check(order_id)
    speed = _choice(shipping_speed, SHIPPING_SPEEDS, "shipping_speed_category", order_id)
    action = _choice(action, FULFILLMENT_ACTIONS, "fulfillment_action", order_id)
    if action == "Hold" and speed == "ScheduledDelivery":
        raise _invalid("a ScheduledDelivery order cannot be put on Hold", order_id)
    body: dict[str, Any] = {
        "sellerFulfillmentOrderId": check_order_id(
            seller_order_id, name="seller_fulfillment_order_id", order_id=order_id
        ),
        "displayableOrderId": check_order_id(
            displayable_order_id, name="displayable_order_id", order_id=order_id
        ),
        "displayableOrderDate": timestamp(displayable_order_date, name="displayable_order_date"),
        "displayableOrderComment": _comment(displayable_order_comment, order_id),
        "shippingSpeedCategory": speed,
        "destinationAddress": address.as_json(),
        "fulfillmentAction": action,
        "items": _items(items, order_id),
    }
    if policy is not None:
        body["fulfillmentPolicy"] = _choice(policy, FULFILLMENT_POLICIES, "policy", order_id)
    if marketplace_id:
        body["marketplaceId"] = marketplace_id
    if notification_emails:
        body["notificationEmails"] = _emails(notification_emails, order_id)
    return body


def update_body(
    *,
    action: str | None,
    displayable_order_comment: str | None,
    shipping_speed: str | None,
    marketplace_id: str | None,
    order_id: str | None,
) -> dict[str, Any]:
    """updateFulfillmentOrder's body: only what changes."""
    body: dict[str, Any] = {}
    if action is not None:
        body["fulfillmentAction"] = _choice(
            action, FULFILLMENT_ACTIONS, "fulfillment_action", order_id
        )
    if displayable_order_comment is not None:
        body["displayableOrderComment"] = _comment(displayable_order_comment, order_id)
    if shipping_speed is not None:
        body["shippingSpeedCategory"] = _choice(
            shipping_speed, SHIPPING_SPEEDS, "shipping_speed_category", order_id
        )
    if marketplace_id:
        body["marketplaceId"] = marketplace_id
    if not body:
        raise _invalid("an update must change something", order_id)
    return body


def _items(items: Sequence[FulfillmentItem], order_id: str | None) -> list[dict[str, Any]]:
    if not 1 <= len(items) <= MAX_LINES:
        raise _invalid(f"an MCF order has 1 to {MAX_LINES} lines, not {len(items)}", order_id)
    seen: set[str] = set()
    for item in items:
        if not 1 <= len(item.seller_sku.strip()) <= MAX_SKU:
            raise _invalid(f"a seller SKU has 1 to {MAX_SKU} characters", order_id)
        if len(item.item_id) > MAX_ITEM_ID or item.item_id in seen:
            raise _invalid(
                f"item id {item.item_id!r} is longer than {MAX_ITEM_ID} or used twice", order_id
            )
        seen.add(item.item_id)
        if (
            isinstance(item.quantity, bool)
            or not isinstance(item.quantity, int)
            or item.quantity < 1
        ):
            raise _invalid(f"the quantity of SKU {item.seller_sku!r} must be at least 1", order_id)
    units = sum(item.quantity for item in items)
    if units > MAX_UNITS:
        raise _invalid(f"an MCF order has at most {MAX_UNITS} units, not {units}", order_id)
    return [item.as_json() for item in items]


def _choice(value: str, allowed: Sequence[str], name: str, order_id: str | None) -> str:
    """One of the model's enum values, whatever the case it was written in."""
    found = next((a for a in allowed if a.lower() == value.strip().lower()), None)
    if found is None:
        raise _invalid(f"{name} must be one of {', '.join(allowed)}, not {value!r}", order_id)
    return found


def _comment(text: str, order_id: str | None) -> str:
    if not 1 <= len(text.strip()) <= MAX_COMMENT:
        raise _invalid(f"displayable_order_comment must be 1 to {MAX_COMMENT} characters", order_id)
    return text.strip()


def _emails(emails: Sequence[str], order_id: str | None) -> list[str]:
    if isinstance(emails, str) or any(not e.strip() or len(e) > MAX_EMAIL for e in emails):
        raise _invalid(
            f"notification emails are a list of 1 to {MAX_EMAIL} characters each", order_id
        )
    return [e.strip() for e in emails]


def _invalid(message: str, order_id: str | None) -> RequestValidationError:
    return RequestValidationError(message, order_id=order_id, source=_SOURCE)
