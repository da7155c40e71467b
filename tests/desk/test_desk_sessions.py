"""The table of failed logins: bounded, forgetting, and one IPv6 machine counted once."""

from __future__ import annotations

from production.desk.sessions import FORGET_SECONDS, MAX_CLIENTS_TRACKED, Sessions
from tests.desk.desk_shop import PASSWORD


def test_the_failures_table_is_bounded_and_forgets() -> None:
    now = [0.0]
    sessions = Sessions(PASSWORD, monotonic=lambda: now[0])
    for n in range(MAX_CLIENTS_TRACKED * 3):
        sessions.log_in(f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", "guess")
    assert sessions.tracked() == MAX_CLIENTS_TRACKED
    now[0] += FORGET_SECONDS
    assert sessions.tracked() == 0


def test_one_ipv6_machine_is_one_address_for_the_lockout() -> None:
    sessions = Sessions(PASSWORD, monotonic=lambda: 0.0)
    for n in range(5):  # each guess from another address of the same /64
        sessions.log_in(f"2001:db8:1:2::{n + 1:x}", "guess")
    assert sessions.locked_out("2001:db8:1:2:ffff::1") > 0
    assert sessions.locked_out("2001:db8:1:3::1") == 0
