"""Fault switches: how often the simulator misbehaves the ways Amazon does, reproducibly.

Each switch is a probability per call (0 never, 1 always). The dice are a `random.Random` seeded
with `seed`, re-seeded whenever the faults are set, so a test that sets the same faults and
makes the same calls sees the same failures.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

__all__ = ["FaultDice", "Faults"]


@dataclass(frozen=True, slots=True)
class Faults:
    internal_error: float = 0.0
    """500 InternalFailure instead of the answer (nothing is carried out)."""
    unavailable: float = 0.0
    """503 ServiceUnavailable instead of the answer (nothing is carried out)."""
    timeout: float = 0.0
    """The call is carried out, then the answer comes only after `timeout_seconds`."""
    timeout_seconds: float = 5.0
    expired_token: float = 0.0
    """403 "The access token you provided has expired." and the token stops working."""
    empty_customized_url: float = 0.0
    """An item added from now on has an empty `customizedUrl` (and `CustomizedURL`)."""
    truncated_json: float = 0.0
    """A successful JSON answer is cut off halfway (status and headers intact)."""
    operations: tuple[str, ...] = ()
    """Only these operations misbehave (`searchOrders`, `ordersV0.getOrder`); all if empty."""
    seed: int = 0

    def applies_to(self, operation_id: str, key: str) -> bool:
        return not self.operations or operation_id in self.operations or key in self.operations

    def changed(self, changes: Mapping[str, Any]) -> Faults:
        """These faults with some switches changed; ValueError names an unknown or bad switch."""
        known = {f.name: f.type for f in fields(self)}
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown fault switch {name!r}")
            values[name] = _coerce(name, value)
        return replace(self, **values)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["operations"] = list(self.operations)
        return data


def _coerce(name: str, value: Any) -> Any:
    if name == "operations":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError("operations must be a list of operation names")
        return tuple(value)
    if name == "seed":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("seed must be an integer")
        return value
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative number")
    if name != "timeout_seconds" and value > 1:
        raise ValueError(f"{name} is a probability: between 0 and 1")
    return float(value)


class FaultDice:
    """The seeded dice the switches are rolled with."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def roll(self, probability: float) -> bool:
        if probability <= 0:
            return False
        if probability >= 1:
            return True
        with self._lock:
            return self._random.random() < probability
