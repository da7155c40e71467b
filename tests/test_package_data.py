"""What the program reads at run time comes from the package, and the checkout's `config/` is
the same configuration the package carries."""

from __future__ import annotations

from importlib import resources
from pathlib import Path, PurePosixPath

from production.config.builtin import DEFAULT_CONFIG_DIR, default_config_files
from production.config.settings import load_settings
from production.customization.samples import SAMPLES_DIR, sample_zips

ROOT = Path(__file__).resolve().parents[1]
# What a run with `--config config` writes beside the files (.gitignore leaves them out).
_RUN_FOLDERS = frozenset({"inbox", "data", "hot", "done", "fonts", "assets"})


def _top_level_config() -> dict[PurePosixPath, bytes]:
    folder = ROOT / "config"
    return {
        PurePosixPath(p.relative_to(folder).as_posix()): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).parts[0] not in _RUN_FOLDERS
    }


def test_the_top_level_config_is_the_one_the_package_carries() -> None:
    """One configuration, two places: the package's (what `production init` writes and what
    runs without --config) and the checkout's `config/`. Edit both, or copy one onto the other."""
    packaged, top_level = default_config_files(), _top_level_config()
    assert sorted(packaged) == sorted(top_level), "config/ and production/config/defaults/ differ"
    drifted = [str(name) for name, data in packaged.items() if top_level[name] != data]
    assert not drifted, f"config/ differs from production/config/defaults/ in {drifted}"


def test_the_built_in_configuration_is_package_data_and_loads() -> None:
    assert DEFAULT_CONFIG_DIR.is_relative_to(Path(str(resources.files("production"))))
    assert {"shop.toml", "printers.toml", "products.toml"} <= {
        str(name) for name in default_config_files()
    }
    settings = load_settings(DEFAULT_CONFIG_DIR)
    assert settings.printers and settings.products


def test_the_sample_zips_are_package_data() -> None:
    assert SAMPLES_DIR.is_relative_to(Path(str(resources.files("production"))))
    assert len(sample_zips()) >= 10
