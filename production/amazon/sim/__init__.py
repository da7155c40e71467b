"""A local Selling Partner API: a real HTTP server on loopback, driven by Amazon's own models.

    state = SimState()                      orders, shipments, tokens, reports, faults, quotas
    state.add_order(zip_bytes)              an Unshipped order item made from a customization zip
    state.mcf.stock("SKU", 12)              sellable units at Amazon for Multi-Channel Fulfillment
    with serve(state) as sim:               uvicorn in a background thread
        sim.base_url                        SP-API endpoint and LWA host (`/auth/o2/token`)
    create_app(state, ...)                  the ASGI app alone
    main_sim(port, orders, out)             `production sim`: sample orders, served until Ctrl-C

It serves LWA, Tokens (RDT), Orders 2026-01-01 (searchOrders, getOrder), Orders v0 (getOrders,
getOrder, getOrderItems, getOrderItemsBuyerInfo, getOrderAddress, confirmShipment), Reports (the
unshipped-orders flat file), Multi-Channel Fulfillment (`state.mcf`: inventory, fulfillment
orders on Hold or Ship, the sandbox's status update, packages, tracking, proof of delivery), the
zips behind `customizedUrl`, and the static sandbox cases of every operation of those models.
Each operation is rate-limited by the usage plan in its model (`rate_scale` speeds the refill
up for tests), validated against its model, and can be made to fail at will (`Faults`).
Controls for tests and demos live under `/_sim/`.
"""

from __future__ import annotations

from production.amazon.sim.app import create_app
from production.amazon.sim.auth import DEFAULT_CREDENTIALS, Credentials
from production.amazon.sim.faults import Faults
from production.amazon.sim.flatfile import COLUMNS as REPORT_COLUMNS
from production.amazon.sim.flatfile import REPORT_TYPE
from production.amazon.sim.mcf_state import McfState
from production.amazon.sim.records import Shipment, SimError, SimItem, SimOrder
from production.amazon.sim.server import SimServer, main_sim, run_forever, seed_orders, serve
from production.amazon.sim.state import DEFAULT_MARKETPLACE, SimState
from production.amazon.sim.zips import renumbered

__all__ = [
    "DEFAULT_CREDENTIALS",
    "DEFAULT_MARKETPLACE",
    "REPORT_COLUMNS",
    "REPORT_TYPE",
    "Credentials",
    "Faults",
    "McfState",
    "Shipment",
    "SimError",
    "SimItem",
    "SimOrder",
    "SimServer",
    "SimState",
    "create_app",
    "main_sim",
    "renumbered",
    "run_forever",
    "seed_orders",
    "serve",
]
