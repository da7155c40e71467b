"""Reports API handlers for the unshipped-orders report: createReport, getReport,
getReportDocument (restricted: the document needs an RDT, as on Amazon).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from starlette.responses import Response

from production.amazon.sim.dates import format_time
from production.amazon.sim.flatfile import REPORT_TYPE, flat_file
from production.amazon.sim.operations import Call, Handler
from production.amazon.sim.presign import presigned_url
from production.amazon.sim.records import SimError, SimReport
from production.amazon.sim.responses import ACCESS_DENIED, json_response

__all__ = ["HANDLERS"]


def create_report(call: Call) -> Response:
    body = call.inputs.body
    if body["reportType"] != REPORT_TYPE:
        raise SimError(
            f"Invalid request parameter `reportType`. The simulator makes {REPORT_TYPE} only."
        )
    marketplaces = tuple(str(m) for m in body["marketplaceIds"])
    state = call.state

    def make(report_id: str, document_id: str, now: datetime) -> SimReport:
        orders = [o for o in state.orders() if o.marketplace_id in marketplaces]
        return SimReport(
            report_id=report_id,
            report_type=REPORT_TYPE,
            marketplace_ids=marketplaces,
            created=now,
            ready_at=now + timedelta(seconds=state.report_delay),
            document_id=document_id,
            document=flat_file(orders, base_url=call.base_url, now=now),
            data_start=body.get("dataStartTime"),
            data_end=body.get("dataEndTime"),
        )

    report = state.add_report(make)
    return json_response({"reportId": report.report_id}, 202)


def get_report(call: Call) -> Response:
    report_id = call.inputs.path["reportId"]
    report = call.state.report(report_id)
    if report is None:
        raise SimError(f"Report {report_id} was not found.", status=404, code="NotFound")
    return json_response(_report_json(report, call.state.now()))


def get_report_document(call: Call) -> Response:
    document_id = call.inputs.path["reportDocumentId"]
    report = call.state.report_by_document(document_id)
    now = call.state.now()
    if report is None or report.status(now) != "DONE":
        raise SimError("Invalid or unsupported document ID found")
    if not call.grants():
        raise SimError(ACCESS_DENIED, status=403, code="Unauthorized")
    url = presigned_url(
        call.base_url,
        document_id,
        secret=call.state.document_secret,
        now=now,
        content_encoding=bool(call.inputs.query.get("enableContentEncodingUrlHeader")),
    )
    return json_response(
        {"reportDocumentId": document_id, "url": url, "compressionAlgorithm": "GZIP"}
    )


HANDLERS: dict[str, Handler] = {
    "reports_2021-06-30.createReport": create_report,
    "reports_2021-06-30.getReport": get_report,
    "reports_2021-06-30.getReportDocument": get_report_document,
}


def _report_json(report: SimReport, now: datetime) -> dict[str, Any]:
    status = report.status(now)
    created = format_time(report.created)
    data: dict[str, Any] = {
        "reportId": report.report_id,
        "reportType": report.report_type,
        "marketplaceIds": list(report.marketplace_ids),
        "dataStartTime": report.data_start or created,
        "dataEndTime": report.data_end or created,
        "createdTime": created,
        "processingStatus": status,
    }
    if status != "IN_QUEUE":
        data["processingStartTime"] = created
    if status == "DONE":
        data["processingEndTime"] = format_time(report.ready_at)
        data["reportDocumentId"] = report.document_id
    return data
