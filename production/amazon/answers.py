"""Amazon's answers read within bounds: a size limit, and the call's overall deadline.

The models' largest pages (100 orders of searchOrders, 100 items) are well under a MiB of JSON;
an answer of tens of MiB is not one Amazon means to send, and reading it whole cost a gigabyte.
So an answer is streamed and given up on past `MAX_ANSWER_BYTES` (counted after content
decoding: a small gzip body cannot inflate past it either). httpx's timeouts bound each read,
not a server that trickles a byte at a time: the deadline is checked between chunks too.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

__all__ = ["MAX_ANSWER_BYTES", "AnswerTooLarge", "bounded_send"]

MAX_ANSWER_BYTES = 8 * 1024 * 1024
# Content-Encoding and -Length describe the wire, not the decoded body the answer now holds.
_WIRE_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


class AnswerTooLarge(Exception):
    """The answer grew past the limit; the rest was not read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"an answer of more than {limit // (1024 * 1024)} MiB")
        self.limit = limit


def bounded_send(
    http: httpx.Client,
    request: httpx.Request,
    *,
    limit: int = MAX_ANSWER_BYTES,
    past_deadline: Callable[[], bool] = lambda: False,
) -> httpx.Response:
    """The answer to `request`, read whole, if it stays under `limit` bytes and the deadline.

    Raises `AnswerTooLarge`, or `httpx.ReadTimeout` when the deadline passes while reading.
    """
    response = http.send(request, stream=True)
    try:
        declared = response.headers.get("content-length", "")
        if (
            declared.isdigit()
            and int(declared) > limit
            and not response.headers.get("content-encoding")
        ):
            raise AnswerTooLarge(limit)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise AnswerTooLarge(limit)
            if past_deadline():
                raise httpx.ReadTimeout("the call's deadline passed while reading", request=request)
            chunks.append(chunk)
    finally:
        response.close()
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        response.status_code, headers=headers, content=b"".join(chunks), request=request
    )
