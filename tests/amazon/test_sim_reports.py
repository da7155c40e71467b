"""The unshipped-orders report: createReport → getReport → getReportDocument → gzip TSV."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from production.amazon.sim import DEFAULT_MARKETPLACE, REPORT_COLUMNS, REPORT_TYPE, SimState
from tests.amazon.test_sim import (
    SEARCH,
    V0,
    FakeClock,
    Sim,
    errors,
    package,
    running,
    shared,
    sim,
    zip_of,
)

__all__ = ["shared", "sim"]  # fixtures shared with test_sim

REPORTS = "/reports/2021-06-30/reports"
DOCUMENTS = "/reports/2021-06-30/documents"
DOCUMENT_RDT = {"method": "GET", "path": "/reports/2021-06-30/documents/{reportDocumentId}"}
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "order-reports"


def _create(sim: Sim, **changes: Any) -> httpx.Response:
    body = {"reportType": REPORT_TYPE, "marketplaceIds": [DEFAULT_MARKETPLACE], **changes}
    return sim.post(REPORTS, body)


def _document(sim: Sim, **params: str) -> dict[str, Any]:
    report_id = _create(sim).json()["reportId"]
    report = sim.get(f"{REPORTS}/{report_id}").json()
    assert report["processingStatus"] == "DONE"
    rdt = sim.rdt(DOCUMENT_RDT)
    response = sim.get(f"{DOCUMENTS}/{report['reportDocumentId']}", token=rdt, **params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _rows(text: str) -> list[dict[str, str]]:
    header, *lines = text.rstrip("\n").split("\n")
    names = header.split("\t")
    return [dict(zip(names, line.split("\t"), strict=True)) for line in lines]


def test_report_document_is_a_gzip_tsv_of_the_unshipped_items(sim: Sim) -> None:
    items = [
        sim.state.add_order(zip_of(name, n))
        for n, name in enumerate(("text-only", "photo-text", "options-only"), 1)
    ]
    shipped, canceled, waiting = items
    body = package("1", [(shipped.order_item_id, 1)])
    assert sim.post(f"{V0}/{shipped.order_id}/shipmentConfirmation", body).status_code == 204
    sim.state.cancel(canceled.order_id)
    created = _create(sim)
    assert created.status_code == 202
    report = sim.get(f"{REPORTS}/{created.json()['reportId']}").json()
    assert report["reportType"] == REPORT_TYPE and report["processingStatus"] == "DONE"
    without_rdt = sim.get(f"{DOCUMENTS}/{report['reportDocumentId']}")
    assert without_rdt.status_code == 403
    assert errors(without_rdt)[0]["code"] == "Unauthorized"
    document = _document(sim)
    assert document["compressionAlgorithm"] == "GZIP"
    download = sim.http.get(document["url"])  # no token: the URL is pre-signed
    assert download.status_code == 200
    assert "content-encoding" not in download.headers
    text = gzip.decompress(download.content).decode("utf-8")
    header = text.split("\n", 1)[0].split("\t")
    assert header == list(REPORT_COLUMNS)
    assert "customized-url" in header and "customized-page" in header
    [row] = _rows(text)
    assert (row["order-id"], row["order-item-id"]) == (waiting.order_id, waiting.order_item_id)
    assert (row["quantity-purchased"], row["quantity-to-ship"]) == ("1", "1")
    order = sim.get(f"{SEARCH}/{waiting.order_id}").json()["order"]
    url = order["orderItems"][0]["product"]["customization"]["customizedUrl"]
    assert row["customized-url"] == url
    assert sim.http.get(row["customized-url"]).content == zip_of("options-only", 3)
    assert sim.http.get(row["customized-page"]).status_code == 200


def test_report_columns_are_those_of_the_reference_report() -> None:
    reference = REFERENCE / "unshipped-orders-41-columns.txt"
    if not reference.exists():
        pytest.skip("shared/reference is not beside the repository")
    assert reference.read_text().split("\n", 1)[0].split("\t") == list(REPORT_COLUMNS)


def test_report_document_url_expires_after_five_minutes(clock: FakeClock) -> None:
    with running(SimState(now=clock.now, monotonic=clock.monotonic)) as live:
        live.state.add_order(zip_of("text-only", 1))
        url = _document(live)["url"]
        clock.advance(300)
        assert live.http.get(url).status_code == 200
        clock.advance(1)
        expired = live.http.get(url)
        assert expired.status_code == 403
        assert "<Code>AccessDenied</Code>" in expired.text and "expired" in expired.text
        fresh = _document(live)["url"]
        split = urlsplit(fresh)
        params = dict(parse_qsl(split.query))
        params["X-Amz-Expires"] = "86400"  # a URL cannot be stretched
        forged = live.http.get(f"{split.path}?{urlencode(params)}")
        assert forged.status_code == 403 and "SignatureDoesNotMatch" in forged.text


def test_report_document_url_can_ask_for_content_encoding(sim: Sim) -> None:
    sim.state.add_order(zip_of("text-only", 1))
    document = _document(sim, enableContentEncodingUrlHeader="true")
    download = sim.http.get(document["url"])
    assert download.headers["content-encoding"] == "gzip"
    assert download.text.startswith("order-id\torder-item-id\t")  # httpx inflated it


def test_report_processing_takes_the_report_delay(clock: FakeClock) -> None:
    state = SimState(report_delay=60, now=clock.now, monotonic=clock.monotonic)
    with running(state) as live:
        report_id = _create(live).json()["reportId"]
        assert live.get(f"{REPORTS}/{report_id}").json()["processingStatus"] == "IN_QUEUE"
        clock.advance(30)
        assert live.get(f"{REPORTS}/{report_id}").json()["processingStatus"] == "IN_PROGRESS"
        clock.advance(30)
        report = live.get(f"{REPORTS}/{report_id}").json()
        assert report["processingStatus"] == "DONE" and report["reportDocumentId"]


def test_create_report_checks_its_body(sim: Sim) -> None:
    other = _create(sim, reportType="GET_MERCHANT_LISTINGS_ALL_DATA")
    assert other.status_code == 400 and "`reportType`" in errors(other)[0]["message"]
    no_marketplace = sim.post(REPORTS, {"reportType": REPORT_TYPE})
    assert no_marketplace.status_code == 400
    assert "marketplaceIds" in errors(no_marketplace)[0]["message"]
    assert sim.get(f"{REPORTS}/424242").status_code == 404


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
