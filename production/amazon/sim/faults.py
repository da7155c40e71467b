"""Fault switches: how often the simulator misbehaves the ways Amazon does, reproducibly.

Each switch is a probability per call (0 never, 1 always). The dice are a `random.Random` seeded
with `seed`, re-seeded whenever the faults are set, so a test that sets the same faults and
makes the same calls sees the same failures. `max_hits` ends the misbehaviour after that many
faults: `timeout=1, max_hits=1` loses exactly one answer, and the retry gets through.
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
    rate_token_expired: float = 0.0
    """purchaseShipment answers 400 TOKEN_EXPIRED as if its rate were ten minutes old."""
    max_hits: int = 0
    """Faults stop after this many have struck (0: they never stop)."""
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
    if name in ("seed", "max_hits"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{name} must be an integer")
        if name == "max_hits" and value < 0:
            raise ValueError("max_hits must not be negative")
        return value
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative number")
    if name != "timeout_seconds" and value > 1:
        raise ValueError(f"{name} is a probability: between 0 and 1")
    return float(value)


class FaultDice:
    """The seeded dice the switches are rolled with; `max_hits` hits at most (0: no limit)."""

    def __init__(self, seed: int, max_hits: int = 0) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._left = max_hits if max_hits > 0 else None

    def roll(self, probability: float) -> bool:
        if probability <= 0:
            return False
        with self._lock:
            if self._left == 0:
                return False
            hit = probability >= 1 or self._random.random() < probability
            if hit and self._left is not None:
                self._left -= 1
            return hit
