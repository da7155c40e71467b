"""The desk's live parts over real HTTP: a refresh of an unchanged board costs one look at the
store's change count, the ETag changes exactly when what the packer sees changes, and the board
costs the same few queries however many orders are ready."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from production.desk import DeskService
from production.desk.board import RECENT_DAYS, desk_board
from production.store import JobState, JobStore, NewItem, NewJob
from production.store.sqlite.store import SqliteStore
from tests.desk.desk_shop import DeskShop
from tests.desk.test_desk_http import logged_in, ship

S = JobState


@contextmanager
def statements(store: JobStore) -> Iterator[list[str]]:
    """The SQL the store's own connection runs meanwhile (its connection: what this is about)."""
    assert isinstance(store, SqliteStore) and store._conn is not None
    seen: list[str] = []
    store._conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        store._conn.set_trace_callback(None)


def refresh(client: httpx.Client, path: str, tag: str) -> httpx.Response:
    return client.get(path, headers={"If-None-Match": tag})


def test_an_unchanged_board_is_answered_from_the_change_count_alone(
    shop: DeskShop, desk: DeskService
) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    client = logged_in(desk)
    [job] = shop.store.jobs(order_id=order)
    for path in ("/fragments/board", f"/fragments/orders/{order}"):
        first = client.get(path)
        assert first.status_code == 200 and job.order_item_id in first.text
        with statements(desk.desk.store) as seen:
            same = refresh(client, path, first.headers["etag"])
        assert (same.status_code, same.headers["etag"]) == (304, first.headers["etag"])
        assert same.content == b""
        assert [sql.split()[:4] for sql in seen] == [["SELECT", "count", "FROM", "store_changes"]]


def test_the_page_is_rendered_once_per_change_and_a_message_once(
    shop: DeskShop, desk: DeskService
) -> None:
    [order] = shop.add_orders("text-only")
    client = logged_in(desk)
    first = client.get("/").text
    with statements(desk.desk.store) as seen:
        assert client.get("/").text == first
    assert len(seen) == 1  # the change count, nothing else
    shop.print_order(order)
    assert f'data-order="{order}"' in client.get("/").text
    # A message for this person is shown once, on a page rendered for it, and then gone.
    missing = client.get("/scan", params={"code": "12345-NOPE"}, follow_redirects=True)
    assert "Nothing found for “12345-NOPE”" in missing.text
    assert "12345-NOPE" not in client.get("/").text


def test_the_etag_changes_exactly_when_the_board_changes(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    shop.hostile_held_job()  # a held job: its buttons carry the session's form token
    client = logged_in(desk)
    first = client.get("/fragments/board")
    tag = first.headers["etag"]
    assert f'data-order="{order}"' not in first.text
    # A change the board does not show (an item that has no job yet): rendered again, same tag.
    shop.store.add_item(NewItem("90000000000777", "900-0000777-0000777", None, "X", 1, "", ""))
    same = refresh(client, "/fragments/board", tag)
    assert (same.status_code, same.headers["etag"]) == (304, tag)
    # Printed, in another connection to the store (the floor's): ready to ship.
    shop.print_order(order)
    ready = refresh(client, "/fragments/board", tag)
    assert ready.status_code == 200 and f'data-order="{order}"' in ready.text
    assert ready.headers["etag"] != tag
    assert refresh(client, "/fragments/board", ready.headers["etag"]).status_code == 304
    # Another person's page carries their own form token: their tag is not this one.
    other = logged_in(desk)
    assert refresh(other, "/fragments/board", ready.headers["etag"]).status_code == 200


def test_a_package_leaves_recently_shipped_when_it_grows_old(
    shop: DeskShop, desk: DeskService
) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    client = logged_in(desk)
    ship(client, order, carrier="UPS", tracking="1Z999AA10123456784", ship_date="")
    shipped = client.get("/fragments/board")
    assert f'data-shipped="{order}"' in shipped.text
    tag = shipped.headers["etag"]
    assert refresh(client, "/fragments/board", tag).status_code == 304
    # Nothing changes in the store; only the days go by.
    later = datetime.now(UTC) + timedelta(days=RECENT_DAYS, minutes=1)
    desk.desk.now = lambda: later
    old = refresh(client, "/fragments/board", tag)
    assert old.status_code == 200 and f'data-shipped="{order}"' not in old.text


def ready_orders(store: JobStore, count: int, *, first: int = 1) -> None:
    """`count` orders of two items, each with two printed jobs, through the store alone."""
    for n in range(first, first + count):
        order_id = f"902-{n:07d}-{n:07d}"
        for i in range(2):
            item_id = f"92{n:07d}{i:05d}"
            store.add_item(NewItem(item_id, order_id, "B0X", "MUG", 1, "", ""))
            jobs = [NewJob(f"{item_id}-{s}", s, "uv-1", f"{order_id}_{item_id}_{s}")
                    for s in ("FRONT", "BACK")]  # fmt: skip
            for job in store.set_jobs(item_id, jobs):
                for state in (S.RENDERED, S.QUEUED, S.PRINTED):
                    store.transition(job.job_id, state)


def test_the_board_costs_the_same_queries_for_one_ready_order_or_forty(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "jobs.sqlite3") as store:

        def board_queries() -> int:
            with statements(store) as seen:
                board = desk_board(store, now=lambda: datetime.now(UTC))
            assert {view.ready for view in board.ready} == {True}
            return len(seen)

        ready_orders(store, 1)
        one = board_queries()
        ready_orders(store, 39, first=2)
        assert len(store.orders_ready_to_ship()) == 40
        assert board_queries() == one


def orders_shown(html: str) -> str:
    """The page's ready orders: what the kept cards make (no per-session form in them)."""
    start, end = html.index('<div class="orders">'), html.index('<section aria-labelledby="held')
    return html[start:end]


def test_a_card_kept_from_an_earlier_page_is_the_card_rendered_now(
    shop: DeskShop, desk: DeskService
) -> None:
    orders = shop.add_orders("text-only", "two-surfaces")
    for order in orders:
        shop.print_order(order)
    client = logged_in(desk)
    client.get("/")  # every card rendered and kept
    # Changes to one order each: a new ship-by date, one of two items cancelled.
    [item, *_] = shop.store.items(order_id=orders[0])
    shop.store.set_item_ship_by(item.order_item_id, datetime(2031, 5, 6, 12, tzinfo=UTC))
    [job, *_] = shop.store.jobs(order_id=orders[1])
    shop.store.transition(job.job_id, S.CANCELLED, reason="cancelled in a test")
    kept = client.get("/").text
    assert "2031-05-06" in kept
    # A desk started now has kept nothing: its page is what every card should read.
    with shop.desk() as fresh:
        assert orders_shown(kept) == orders_shown(logged_in(fresh).get("/").text)
