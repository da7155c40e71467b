"""createRestrictedDataToken (Tokens 2021-03-01): an RDT for the paths and data elements asked.

A path is either concrete (`/orders/v0/orders/123-1234567-1234567/orderItems`) or generic with
the model's placeholders (`/orders/v0/orders/{orderId}/orderItems`), which covers every order.
The token lives as long as an access token (an hour) and is accepted only on the paths it names.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.responses import Response

from production.amazon.sim.operations import Call, Handler
from production.amazon.sim.records import RestrictedResource, SimError
from production.amazon.sim.responses import json_response
from production.amazon.sim.spec import Operation, operations

__all__ = ["DATA_ELEMENTS", "HANDLERS"]

DATA_ELEMENTS = frozenset({"buyerInfo", "shippingAddress", "buyerTaxInformation"})
_NO_ACCESS = "Application do not have access to some or all requested resource"


def create_restricted_data_token(call: Call) -> Response:
    resources = [_resource(entry) for entry in call.inputs.body["restrictedResources"]]
    if not resources or len(resources) > 50:
        raise SimError(
            "Invalid request parameter `restrictedResources`. Give between 1 and 50 resources."
        )
    restricted = [op for op in operations() if op.api != "tokens_2021-03-01"]
    for resource in resources:
        if not _names_operation(resource, restricted):
            raise SimError(_NO_ACCESS, code="InvalidInput")
    token = call.state.issue_rdt(resources)
    lifetime = round(call.state.token_lifetime)
    return json_response({"restrictedDataToken": token.value, "expiresIn": lifetime})


HANDLERS: dict[str, Handler] = {
    "tokens_2021-03-01.createRestrictedDataToken": create_restricted_data_token,
}


def _resource(entry: dict[str, object]) -> RestrictedResource:
    elements = entry.get("dataElements") or []
    if not isinstance(elements, list) or not all(e in DATA_ELEMENTS for e in elements):
        raise SimError(
            "Invalid request parameter `restrictedResources.dataElements`. "
            f"Must be among [{', '.join(sorted(DATA_ELEMENTS))}]."
        )
    return RestrictedResource(
        method=str(entry["method"]),
        path=str(entry["path"]),
        data_elements=frozenset(str(e) for e in elements),
    )


def _names_operation(resource: RestrictedResource, ops: Sequence[Operation]) -> bool:
    """Whether the resource is an operation's path, concrete or with its placeholders."""
    for op in ops:
        if op.method != resource.method:
            continue
        template = RestrictedResource(op.method, op.path)
        if resource.path == op.path or template.covers(resource.method, resource.path):
            return True
    return False
