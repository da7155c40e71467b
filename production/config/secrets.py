"""`secrets.toml` beside shop.toml: the Amazon credentials, for an operator's shell or a service.

    [amazon]
    client_id = "amzn1.application-oa2-client.…"
    client_secret = "…"
    refresh_token = "Atzr|…"

The file must be readable by its owner alone (`chmod 600`): one that group or others may read
is refused before a byte of it is parsed. Environment variables override it, key by key.
Messages name the file and the keys, never a value. `production init` never writes it.
"""

from __future__ import annotations

import stat
from pathlib import Path

from production.config.schema import read_toml
from production.core.errors import ConfigError

__all__ = ["AMAZON_SECRET_KEYS", "SECRETS_FILE", "read_secrets"]

SECRETS_FILE = "secrets.toml"
AMAZON_SECRET_KEYS = ("client_id", "client_secret", "refresh_token")
_TABLES = {"amazon": AMAZON_SECRET_KEYS}


def read_secrets(config_dir: Path) -> dict[str, dict[str, str]]:
    """The tables of `config_dir/secrets.toml` ({} when there is none); `ConfigError` if the
    file may be read by anyone but its owner, or holds anything but the known keys as text."""
    path = config_dir / SECRETS_FILE
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror or exc})", source=str(path)) from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"may be read by others (mode {stat.S_IMODE(mode):04o}): it holds secrets; "
            f"run `chmod 600 {path}`",
            source=str(path),
        )
    data = read_toml(config_dir, SECRETS_FILE) or {}
    tables: dict[str, dict[str, str]] = {}
    for name, table in data.items():
        if name not in _TABLES or not isinstance(table, dict):
            known = ", ".join(f"[{t}]" for t in _TABLES)
            raise ConfigError(f"'{name}' is not one of its tables ({known})", source=str(path))
        tables[name] = _table(path, name, table)
    return tables


def _table(path: Path, name: str, table: dict[str, object]) -> dict[str, str]:
    values = {}
    for key, value in table.items():
        if key not in _TABLES[name]:
            allowed = ", ".join(_TABLES[name])
            raise ConfigError(f"[{name}] '{key}' is not one of {allowed}", source=str(path))
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"[{name}] {key} must be a non-empty string", source=str(path))
        values[key] = value.strip()
    return values
