"""Orders as the two Orders APIs write them: 2026-01-01 (camelCase) and v0 (PascalCase).

The buyer and address data are synthetic and the same for every order; there are no prices
(the zips carry none). Restricted v0 data (`BuyerInfo`, the full `ShippingAddress`) appear only
when the call's Restricted Data Token grants them; without one an item's `BuyerInfo` is `{}`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from production.amazon.sim.dates import format_time
from production.amazon.sim.records import Shipment, SimItem, SimOrder

__all__ = [
    "STATUS_2026",
    "address_v0",
    "buyer_email",
    "latest_ship_date",
    "order_2026",
    "order_items_v0",
    "order_v0",
    "page_url",
    "zip_url",
]

STATUS_2026 = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "InvoiceUnconfirmed": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
}
"""Orders v0 status → 2026-01-01 `fulfillment.fulfillmentStatus`."""

MARKETPLACES = {
    "ATVPDKIKX0DER": ("Amazon.com", "US"),
    "A2EUQ1WTGCTBG2": ("Amazon.ca", "CA"),
    "A1F83G8C2ARO7P": ("Amazon.co.uk", "GB"),
    "A1PA6795UKMFR9": ("Amazon.de", "DE"),
}
BUYER_NAME = "Sim Buyer"
ADDRESS = {
    "name": "Sim Buyer",
    "addressLine1": "1 Simulator Way",
    "city": "SEATTLE",
    "stateOrRegion": "WA",
    "postalCode": "98109-5210",
    "countryCode": "US",
}
_WITH_ADDRESS = ("Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed")


def zip_url(base_url: str, item: SimItem) -> str:
    """The item's customization zip on this simulator; empty if the fault withheld it."""
    return "" if item.url_withheld else f"{base_url}/downloads/{item.zip_token}.zip"


def page_url(base_url: str, item: SimItem) -> str:
    return f"{base_url}/customized-pages/{item.zip_token}"


def buyer_email(order: SimOrder) -> str:
    digest = hashlib.sha256(order.order_id.encode()).hexdigest()[:15]
    return f"{digest}@marketplace.amazon.com"


def latest_ship_date(order: SimOrder) -> str:
    return format_time(order.purchase_date + timedelta(days=2))


def latest_delivery_date(order: SimOrder) -> str:
    return format_time(order.purchase_date + timedelta(days=2 + order.delivery_days))


def order_2026(
    order: SimOrder, *, base_url: str, included: frozenset[str], shipments: Sequence[Shipment]
) -> dict[str, Any]:
    """A 2026-01-01 `Order`; the `includedData` sets say which optional parts appear."""
    data: dict[str, Any] = {
        "orderId": order.order_id,
        "createdTime": format_time(order.purchase_date),
        "lastUpdatedTime": format_time(order.last_updated),
        "programs": [],
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": order.marketplace_id,
            "marketplaceName": MARKETPLACES.get(order.marketplace_id, ("Amazon", ""))[0],
        },
    }
    if "BUYER" in included:
        data["buyer"] = {"buyerName": BUYER_NAME, "buyerEmail": buyer_email(order)}
    if "RECIPIENT" in included:
        data["recipient"] = {"deliveryAddress": {**ADDRESS, "addressType": "RESIDENTIAL"}}
    if "FULFILLMENT" in included:
        data["fulfillment"] = {
            "fulfillmentStatus": STATUS_2026[order.status],
            "fulfilledBy": "MERCHANT" if order.fulfillment_channel == "MFN" else "AMAZON",
            "fulfillmentServiceLevel": "STANDARD",
            "shipByWindow": {
                "earliestDateTime": format_time(order.purchase_date),
                "latestDateTime": latest_ship_date(order),
            },
            "deliverByWindow": {
                "earliestDateTime": format_time(order.purchase_date),
                "latestDateTime": latest_delivery_date(order),
            },
        }
    canceled = order.status == "Canceled"
    data["orderItems"] = [_item_2026(i, base_url, included, canceled) for i in order.items]
    if "PACKAGES" in included:
        data["packages"] = [_package_2026(s) for s in shipments]
    return data


def _item_2026(
    item: SimItem, base_url: str, included: frozenset[str], canceled: bool
) -> dict[str, Any]:
    product: dict[str, Any] = {"asin": item.asin, "title": item.title}
    if item.sku is not None:
        product["sellerSku"] = item.sku
    product["condition"] = {"conditionType": "NEW", "conditionSubtype": "NEW"}
    product["customization"] = {"customizedUrl": zip_url(base_url, item)}
    data: dict[str, Any] = {
        "orderItemId": item.order_item_id,
        "quantityOrdered": item.quantity,
        "product": product,
    }
    if "FULFILLMENT" in included:
        data["fulfillment"] = {
            "quantityFulfilled": item.quantity_shipped,
            "quantityUnfulfilled": item.quantity_to_ship,
        }
        if item.gift_message is not None:
            data["fulfillment"]["packing"] = {
                "giftOption": {"giftMessage": item.gift_message, "giftWrapLevel": "STANDARD"}
            }
    if "CANCELLATION" in included and canceled:
        data["cancellation"] = {
            "cancellationExecution": {"cancelledBy": "BUYER", "cancelReason": "Buyer canceled"}
        }
    return data


def _package_2026(shipment: Shipment) -> dict[str, Any]:
    package = shipment.package
    data: dict[str, Any] = {
        "packageReferenceId": package.package_reference_id,
        "createdTime": format_time(shipment.confirmed_at),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": package.carrier_name or package.carrier_code,
        "shipTime": package.ship_date,
        "trackingNumber": package.tracking_number,
        "packageItems": [{"orderItemId": i, "quantity": q} for i, q in package.items],
    }
    if package.shipping_method:
        data["shippingService"] = package.shipping_method
    return data


def order_v0(order: SimOrder, *, buyer_info: bool, address: bool) -> dict[str, Any]:
    """An Orders v0 `Order`; `buyer_info` and `address` are what the RDT grants."""
    shipped = sum(i.quantity_shipped for i in order.items)
    data: dict[str, Any] = {
        "AmazonOrderId": order.order_id,
        "PurchaseDate": format_time(order.purchase_date),
        "LastUpdateDate": format_time(order.last_updated),
        "OrderStatus": order.status,
        "FulfillmentChannel": order.fulfillment_channel,
        "SalesChannel": MARKETPLACES.get(order.marketplace_id, ("Amazon", ""))[0],
        "ShipServiceLevel": "Std US D2D Dom",
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": sum(i.quantity for i in order.items) - shipped,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": order.marketplace_id,
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": format_time(order.purchase_date),
        "LatestShipDate": latest_ship_date(order),
        "EarliestDeliveryDate": format_time(order.purchase_date),
        "LatestDeliveryDate": latest_delivery_date(order),
        "IsBusinessOrder": False,
        "IsPrime": False,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsIBA": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "HasRegulatedItems": False,
    }
    shipping_address = address_v0(order, full=address)
    if shipping_address is not None:
        data["ShippingAddress"] = shipping_address
    data["BuyerInfo"] = (
        {"BuyerEmail": buyer_email(order), "BuyerName": BUYER_NAME} if buyer_info else {}
    )
    return data


def address_v0(order: SimOrder, *, full: bool) -> dict[str, Any] | None:
    """The v0 `ShippingAddress`; None while Pending or once Canceled.

    Name and street only with an RDT granting `shippingAddress`; otherwise city, region,
    postal code and country, as Amazon answers.
    """
    if order.status not in _WITH_ADDRESS:
        return None
    data = {
        "City": ADDRESS["city"],
        "StateOrRegion": ADDRESS["stateOrRegion"],
        "PostalCode": ADDRESS["postalCode"],
        "CountryCode": ADDRESS["countryCode"],
    }
    if full:
        data = {"Name": ADDRESS["name"], "AddressLine1": ADDRESS["addressLine1"], **data}
        data["AddressType"] = "Residential"
    return data


def order_items_v0(order: SimOrder, *, base_url: str, buyer_info: bool) -> list[dict[str, Any]]:
    """Orders v0 `OrderItem`s; `BuyerInfo.BuyerCustomizedInfo.CustomizedURL` only with an RDT."""
    return [_item_v0(i, base_url, buyer_info) for i in order.items]


def _item_v0(item: SimItem, base_url: str, buyer_info: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"ASIN": item.asin}
    if item.sku is not None:
        data["SellerSKU"] = item.sku
    data.update(
        {
            "OrderItemId": item.order_item_id,
            "Title": item.title,
            "QuantityOrdered": item.quantity,
            "QuantityShipped": item.quantity_shipped,
            "ProductInfo": {"NumberOfItems": "1"},
            "IsGift": "false",
            "ConditionId": "New",
            "ConditionSubtypeId": "New",
            "IsTransparency": False,
            "SerialNumberRequired": False,
        }
    )
    customized = {"CustomizedURL": zip_url(base_url, item)}
    data["BuyerInfo"] = {"BuyerCustomizedInfo": customized} if buyer_info else {}
    return data
