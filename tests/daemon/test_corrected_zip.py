"""A second zip for an order item in hand: the same one is a duplicate, a different one is kept.

The buyer corrects a typo after ordering and the shop drops the new zip in: it must not vanish
with a "duplicate" line (as before), nor print over the first without a person saying so. It
goes to `inbox/rejected/` with a reason naming the jobs it conflicts with, and
`production replace ZIP` renders the item from it while nothing of it is printed.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.app.cli import main
from production.store import JobState
from tests.daemon.shop import Shop, sample


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    yield shop
    shop.close()


def corrected(data: bytes, old: bytes, new: bytes) -> bytes:
    """The zip with `old` changed to `new` in its JSON and SVG, as a buyer's correction."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = source.read(info)
            if info.filename.endswith((".json", ".svg")):
                member = member.replace(old, new)
            target.writestr(info, member)
    assert out.getvalue() != data
    return out.getvalue()


def run(capsys: pytest.CaptureFixture[str], shop: Shop, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--config", str(shop.config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def laser_file(shop: Shop) -> bytes:
    [print_file] = [p for p in shop.hot("laser-1").iterdir() if not p.name.endswith(".json")]
    return print_file.read_bytes()


def test_a_corrected_zip_is_kept_and_replaces_the_design_on_request(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    first = sample("text-only").read_bytes()
    shop.drop(first, "sign.zip")
    shop.settle()
    [job] = shop.jobs()
    assert job.state is JobState.QUEUED
    before = laser_file(shop)

    shop.drop(first, "sign copy.zip")  # the same zip again: a duplicate, as always
    shop.drop(second := corrected(first, b"Sam", b"Max"), "Happy Birthday Max.zip")
    shop.settle()
    rejected = shop.inbox / "rejected" / "Happy Birthday Max.zip"
    assert rejected.read_bytes() == second, "the corrected zip was not kept"
    assert not (shop.inbox / "rejected" / "sign copy.zip").exists()
    reason = rejected.with_name(rejected.name + ".reason.txt").read_text()
    assert job.job_id in reason and "production replace" in reason, reason
    assert "Max" not in reason and "Sam" not in reason  # no buyer data in the reason
    [logged] = [e for e in shop.events if e.get("state") == "rejected"]
    assert "Max" not in str(logged) and job.job_id in str(logged["reason"])
    assert [e.get("state") for e in shop.events].count("duplicate") == 1
    assert shop.job(job.job_id).state is JobState.QUEUED and laser_file(shop) == before

    code, out, err = run(capsys, shop, "replace", str(rejected))
    assert code == 0, err
    assert "took" in out and "rendered again" in out, out
    assert not rejected.exists() and not rejected.with_name(rejected.name + ".reason.txt").exists()
    item = shop.store.item(job.order_item_id)
    assert item is not None and item.digest == hashlib.sha256(second).hexdigest()
    shop.daemon.loop()  # the daemon renders the item again and delivers the new design
    assert shop.job(job.job_id).state is JobState.QUEUED
    assert laser_file(shop) != before, "the old design is still in the hot folder"


def test_a_printed_item_is_not_replaced(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    first = sample("text-only").read_bytes()
    shop.drop(first, "sign.zip")
    shop.settle()
    [job] = shop.jobs()
    shop.daemon.pipeline.mark_printed(job.job_id, reason="done by an operator")
    shop.drop(corrected(first, b"Sam", b"Max"), "fixed.zip")
    shop.settle()
    rejected = shop.inbox / "rejected" / "fixed.zip"
    code, _, err = run(capsys, shop, "replace", str(rejected))
    assert code == 1 and job.job_id in err and "printed" in err, err
    assert rejected.exists(), "a refused replacement must leave the zip where it was"
    item = shop.store.item(job.order_item_id)
    assert item is not None and item.digest == hashlib.sha256(first).hexdigest()


def test_a_hot_folder_replaced_by_a_file_says_so(shop: Shop) -> None:
    hot = shop.hot("laser-1")
    hot.rmdir()
    hot.write_bytes(b"")  # a share unmounted and a file written in its place
    shop.drop(sample("text-only").read_bytes(), "sign.zip")
    shop.settle()
    [job] = shop.jobs()
    assert (job.state, job.cause) == (JobState.HELD, "printer")
    assert f"{hot} of printer 'laser-1' is a file, not a folder" in (job.reason or ""), job.reason
    shop.restart()
    [warning] = [e for e in shop.events if e.get("state") == "folder missing"]
    assert "is a file, not a folder" in str(warning["reason"]), warning
