"""A finished command's quick exit: real processes; status, output, atexit work and threads kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROGRAM = """
import atexit, sys, threading
from pathlib import Path
from production.app.quickexit import exit_now

folder = Path(sys.argv[1])
atexit.register(lambda: (folder / "atexit").write_text("ran"))
start = threading.Event()

def late_work():
    start.wait()
    (folder / "thread").write_text("done")

if sys.argv[2] == "thread":
    threading.Thread(target=late_work).start()
sys.stdout.write("line\\n" * 100_000)  # more than any pipe or stdio buffer holds
start.set()
exit_now(3)
"""


def _run(folder: Path, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(folder), mode], capture_output=True, text=True
    )


def test_status_output_and_atexit_work_survive(tmp_path: Path) -> None:
    done = _run(tmp_path, "alone")
    assert done.returncode == 3, done.stderr
    assert done.stdout == "line\n" * 100_000
    assert (tmp_path / "atexit").read_text() == "ran"


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    done = _run(tmp_path, "thread")
    assert done.returncode == 3, done.stderr
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "ran"


_SHOP = {
    "shop.toml": '[shop]\nname = "Quick exit"\n\n[fonts]\ndirs = []\n',
    "printers.toml": '[[printer]]\nid = "uv-1"\nhot_folder = "hot/uv-1"\n',
    "products.toml": '[[product]]\nasin = "B0SAMPLE01"\nname = "Sign"\n\n[[product.surface]]\n'
    'name = "FRONT"\nprinter = "uv-1"\nprocess = "print"\nwidth_mm = 304.8\n'
    "height_mm = 304.8\nbleed_mm = 3.0\n",
}


def test_a_render_ends_with_its_status_report_and_files(tmp_path: Path) -> None:
    from production.customization.samples import SAMPLES_DIR

    config = tmp_path / "config"
    config.mkdir()
    for name, text in _SHOP.items():
        (config / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "production", "render", str(SAMPLES_DIR / "text-only.zip")]
    done = subprocess.run(
        [*command, "--out", str(out), "--config", str(config)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert ": ready;" in done.stdout
    (pdf,) = out.glob("*_FRONT.pdf")
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")  # written whole before the exit
    missing = subprocess.run(
        [*command[:4], str(tmp_path / "no-such.zip"), "--out", str(out), "--config", str(config)],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1
    assert "no-such.zip" in missing.stderr
