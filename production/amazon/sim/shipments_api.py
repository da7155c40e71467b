"""confirmShipment (Orders v0): 204 when the package is recorded or repeats one exactly."""

from __future__ import annotations

from starlette.responses import Response

from production.amazon.sim.operations import Call, Handler
from production.amazon.sim.shipping import package_from_json

__all__ = ["HANDLERS"]


def confirm_shipment(call: Call) -> Response:
    body = call.inputs.body
    package = package_from_json(body["packageDetail"])
    call.state.confirm_shipment(call.inputs.path["orderId"], str(body["marketplaceId"]), package)
    return Response(status_code=204)


HANDLERS: dict[str, Handler] = {"ordersV0.confirmShipment": confirm_shipment}
