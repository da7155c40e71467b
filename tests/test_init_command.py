"""`production init DIR`: the built-in configuration written for a shop to edit, never over
files that are there."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

from production.app.cli import main
from production.config.builtin import default_config_files
from production.config.settings import load_settings


def _files(folder: Path) -> dict[PurePosixPath, bytes]:
    return {
        PurePosixPath(p.relative_to(folder).as_posix()): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_init_writes_the_built_in_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "new" / "config"
    assert main(["init", str(folder)]) == 0
    assert _files(folder) == default_config_files()
    settings = load_settings(folder)
    # Its folders are the shop's own, inside the new folder: nothing points at the package.
    assert settings.shop.data_dir.is_relative_to(folder)
    assert all(p.hot_folder.is_relative_to(folder) for p in settings.printers.values())
    out = capsys.readouterr().out
    assert "printers.toml" in out and "products.toml" in out  # what to edit next
    assert f"production run --config {folder}" in out


def test_init_never_overwrites_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "shop.toml").write_text('[shop]\nname = "Ours"\n')
    assert main(["init", str(tmp_path)]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert str(tmp_path / "shop.toml") in line and "already exists" in line
    assert "Traceback" not in line
    # Nothing written beside it, and it is as it was.
    assert _files(tmp_path) == {PurePosixPath("shop.toml"): b'[shop]\nname = "Ours"\n'}


def test_init_into_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "config"
    target.write_text("not a folder")
    assert main(["init", str(target)]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert "not a folder" in line
    assert target.read_text() == "not a folder"


def test_init_has_help_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["init", "--help"])
    assert exit_.value.code == 0
    help_text = capsys.readouterr().out
    assert (
        "never overwritten" in help_text and "production init /srv/production/config" in help_text
    )


@pytest.mark.parametrize("command", [["run"], ["jobs"], ["retry", "J1"], ["purge"], ["audit"]])
def test_commands_on_a_shop_need_its_configuration(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The built-in configuration lives inside the installed package: no place for a job store,
    an inbox or hot folders. These commands say so and do nothing."""
    with pytest.raises(SystemExit) as exit_:
        main(command)
    assert exit_.value.code == 2
    assert "the following arguments are required: --config" in capsys.readouterr().err


def test_every_command_shows_examples_under_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = re.findall(r"(?m)^    ([a-z]+)\b", capsys.readouterr().out)
    assert "ship" in listed and "init" in listed
    for name in listed:
        with pytest.raises(SystemExit) as exited:
            main([name, "--help"])
        text = capsys.readouterr().out
        assert exited.value.code == 0
        assert "examples:" in text.lower(), f"`production {name} --help` shows no example"
        assert f"production {name} " in text, name
