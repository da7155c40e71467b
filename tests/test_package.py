"""The package as users install it: the built wheel, installed into a fresh venv outside the
checkout, runs the demo, renders with its own configuration, writes one with `init` and serves
the desk page, from a working folder that is not the checkout.

The venv's dependencies come from the package index (pip's cache makes it quick); nothing of the
checkout or of the test's own venv is on its path, and a test checks it is the installed copy
that runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import httpx
import pytest

from production.config.builtin import default_config_files

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
# What the program reads at run time, besides its modules: every file of these must be in the wheel.
PACKAGE_DATA = (
    "production/desk/templates",
    "production/desk/static",
    "production/config/defaults",
    "production/customization/sample_zips",
    "production/amazon/sim/models",
)
_ENV_KEPT = ("HOME", "LANG", "LC_ALL", "TMPDIR")  # pip's cache and configuration are in HOME
_BUILD_TIMEOUT = 300.0
_COMMAND_TIMEOUT = 180.0


def outside_env(venv: Path | None = None, **extra: str) -> dict[str, str]:
    """An environment that points at nothing of the checkout: no PYTHONPATH, no active venv."""
    env = {k: v for k, v in os.environ.items() if k in _ENV_KEPT or k.startswith("PIP_")}
    path = os.environ.get("PATH", "/usr/bin:/bin")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{path}" if venv else path
    return {**env, **extra}


def run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = _COMMAND_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run a command; fail with its output unless it exits 0."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _copy_of_the_checkout(target: Path) -> Path:
    """The files a clone has (and new ones not yet committed), so that the build's own leftovers
    (`build/`, `*.egg-info`) never land in, or come from, the developer's tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = _copy_of_the_checkout(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out),
         str(source)],
        cwd=out, env=outside_env(), timeout=_BUILD_TIMEOUT,
    )  # fmt: skip
    [built] = out.glob("amazon_custom_production-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    assert not venv.is_relative_to(ROOT)
    base = Path(getattr(sys, "_base_executable", sys.executable))  # not the test's own venv
    run([str(base), "-m", "venv", str(venv)], cwd=venv, env=outside_env())
    run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        cwd=venv, env=outside_env(venv),
    )  # fmt: skip
    return venv


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder outside the checkout."""
    assert not tmp_path.is_relative_to(ROOT)
    return tmp_path


def test_the_wheel_carries_what_the_program_reads_and_the_license(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    for folder in PACKAGE_DATA:
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file() and _is_data(p)]
        assert files, f"{folder} is empty in the checkout"
        missing = sorted(str(p.relative_to(ROOT)) for p in files)
        missing = [name for name in missing if name not in names]
        assert not missing, f"left out of the wheel: {missing}"
    licenses = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert licenses, "the wheel carries no LICENSE"
    assert archive.read(licenses[0]) == (ROOT / "LICENSE").read_bytes()
    [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
    headers = archive.read(metadata).decode().splitlines()
    assert "License-Expression: MIT" in headers
    assert "License-File: LICENSE" in headers


def _is_data(path: Path) -> bool:
    return "__pycache__" not in path.parts and path.suffix not in (".py", ".pyc")


def test_it_is_the_installed_copy_that_runs(venv: Path, elsewhere: Path) -> None:
    shown = run(
        [str(venv / "bin" / "python"), "-c",
         "import json, sys, production, production.desk.app; "
         "print(json.dumps([production.__file__, sys.path]))"],
        cwd=elsewhere, env=outside_env(venv),
    )  # fmt: skip
    module, path = json.loads(shown.stdout)
    assert Path(module).is_relative_to(venv)
    assert not [entry for entry in path if entry and Path(entry).is_relative_to(ROOT)]


def test_the_demo_runs_from_the_installed_package(venv: Path, elsewhere: Path) -> None:
    out = elsewhere / "demo"
    done = run(
        [str(venv / "bin" / "production"), "demo", "--out", str(out)],
        cwd=elsewhere, env=outside_env(venv),
    )  # fmt: skip
    listed = [line.split() for line in done.stdout.splitlines() if str(out / "hot") in line]
    assert listed, done.stdout
    for job, _printer, state, pdf in listed:
        assert state == "queued", job
        assert Path(pdf).is_file() and Path(pdf).with_suffix(".json").is_file()


def test_render_with_the_built_in_configuration(venv: Path, elsewhere: Path) -> None:
    found = run(
        [str(venv / "bin" / "python"), "-c",
         "from production.customization.samples import SAMPLES_DIR; "
         "print(SAMPLES_DIR / 'text-only.zip')"],
        cwd=elsewhere, env=outside_env(venv),
    )  # fmt: skip
    sample = Path(found.stdout.strip())
    assert sample.is_relative_to(venv) and sample.is_file()
    out = elsewhere / "out"
    run(
        [str(venv / "bin" / "production"), "render", str(sample), "--out", str(out)],
        cwd=elsewhere, env=outside_env(venv),
    )  # fmt: skip
    [pdf] = out.glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    ticket = json.loads(pdf.with_suffix(".json").read_text())
    assert ticket["file"] == pdf.name


def test_init_writes_a_configuration_the_daemon_serves_the_desk_from(
    venv: Path, elsewhere: Path
) -> None:
    config = elsewhere / "shop-config"
    production = str(venv / "bin" / "production")
    run([production, "init", str(config)], cwd=elsewhere, env=outside_env(venv))
    written = {
        PurePosixPath(p.relative_to(config).as_posix()): p.read_bytes()
        for p in config.rglob("*")
        if p.is_file()
    }
    assert written == default_config_files()
    with socket.socket() as probe:  # a free port for the configuration
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (config / "shop.toml").open("a") as shop_toml:
        shop_toml.write(f'\n[desk]\nlisten = "127.0.0.1:{port}"\n')
    env = outside_env(venv, PRODUCTION_DESK_PASSWORD="a password for the test")
    with daemon([production, "run", "--config", str(config)], elsewhere, env) as running:
        url = running.desk_url()
        login = httpx.get(f"{url}/login", timeout=30)
        assert login.status_code == 200
        assert 'type="password"' in login.text and 'name="csrf"' in login.text
        assert httpx.get(f"{url}/static/desk.css", timeout=30).status_code == 200


class Daemon:
    """`production run` as a process, its stderr read line by line as it comes."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)
        self.lines.put(None)  # stderr closed: the process has ended

    def desk_url(self) -> str:
        """The desk's URL from its `desk page` log line; fails with the log if the daemon ends."""
        while (line := self.lines.get(timeout=_COMMAND_TIMEOUT)) is not None:
            self.seen.append(line)
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("state") == "desk page":
                return str(event["url"])
        pytest.fail("the daemon ended before serving the desk page:\n" + "".join(self.seen))

    def stop(self) -> int:
        """SIGTERM, then its exit code (killed if it does not stop)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise


@contextlib.contextmanager
def daemon(args: list[str], cwd: Path, env: dict[str, str]) -> Iterator[Daemon]:
    started = Daemon(args, cwd, env)
    try:
        yield started
    finally:
        code = started.stop()
    assert code == 0, "".join(started.seen)
