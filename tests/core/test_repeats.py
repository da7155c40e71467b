"""Repeated errors are logged once a minute with a count: in a logger, and in the desk server's
real accept loop run out of file descriptors."""

from __future__ import annotations

import io
import logging
import socket
import subprocess
import sys
import textwrap

from production.core.repeats import REPEAT_WINDOW, RepeatFilter, Repeats


def emfile() -> OSError:
    return OSError(24, "Too many open files")


def test_the_first_occurrence_is_shown_then_one_per_window_with_a_count() -> None:
    now = [0.0]
    repeats = Repeats(monotonic=lambda: now[0])
    assert repeats.admit("accept") == 0
    assert [repeats.admit("accept") for _ in range(1000)] == [None] * 1000
    assert repeats.admit("another") == 0  # a new kind is not held back by the first
    now[0] += REPEAT_WINDOW
    assert repeats.admit("accept") == 1000
    assert repeats.admit("accept") is None


def test_a_logger_with_the_filter_writes_one_line_per_window() -> None:
    now = [0.0]
    stream = io.StringIO()
    logger = logging.getLogger("tests.repeats")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.addFilter(RepeatFilter(Repeats(monotonic=lambda: now[0])))
    try:
        for port in range(5000):  # arguments differ (addresses, ports): still the same error
            logger.error("socket.accept() out of system resource\nport %d", port, exc_info=emfile())
            if port == 2999:
                now[0] += REPEAT_WINDOW
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert text.count("socket.accept() out of system resource") == 2
    assert text.count("Too many open files") == 2
    assert "(2999 more like this since the last one logged)" in text


# The desk's server in a process whose open files run out once it has started, while the test
# has connected: asyncio's accept loop fails with EMFILE a backlog's worth of times per second.
CHILD = textwrap.dedent(
    """
    import logging, resource, sys, threading
    from pathlib import Path
    from starlette.responses import PlainTextResponse
    from production.web.server import start

    server = start(PlainTextResponse("ok"), host="127.0.0.1", port=0, name="t", what="t")
    [throttle] = logging.getLogger("asyncio").filters
    used = len(list(Path("/proc/self/fd").iterdir()))
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (used + 2, limit[1]))
    print(server.base_url, flush=True)
    stop = threading.Event()
    while throttle.repeats.occurrences < 50:  # the accept loop has failed 50 times
        stop.wait(0.01)
    print("failed", throttle.repeats.occurrences, flush=True)
    resource.setrlimit(resource.RLIMIT_NOFILE, limit)  # room to exit (threads need a library)
    """
)


def test_the_accept_loop_out_of_file_descriptors_logs_once() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        try:
            host, port = child.stdout.readline().strip().removeprefix("http://").rsplit(":", 1)
            sockets = [socket.create_connection((host, int(port)), timeout=10) for _ in range(8)]
            out, err = child.communicate(timeout=60)
        finally:
            child.kill()
        for sock in sockets:
            sock.close()
    assert out.startswith("failed"), err[-2000:]
    assert err.count("socket.accept() out of system resource") == 1, err[-2000:]
