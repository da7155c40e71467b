"""The app's Login with Amazon credentials, from the environment or `secrets.toml`, never shown."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from production.config.secrets import SECRETS_FILE, read_secrets
from production.core.errors import ConfigError

__all__ = ["CLIENT_ID_VARIABLE", "CLIENT_SECRET_VARIABLE", "REFRESH_TOKEN_VARIABLE", "Credentials"]

CLIENT_ID_VARIABLE = "SPAPI_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "SPAPI_CLIENT_SECRET"
REFRESH_TOKEN_VARIABLE = "SPAPI_REFRESH_TOKEN"
_HIDDEN = "***"
_VARIABLES = {
    "client_id": CLIENT_ID_VARIABLE,
    "client_secret": CLIENT_SECRET_VARIABLE,
    "refresh_token": REFRESH_TOKEN_VARIABLE,
}


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """The LWA client id and secret of the app, and the seller's refresh token."""

    client_id: str
    client_secret: str
    refresh_token: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Credentials:
        """Read the three SPAPI_* variables; a missing one is a `ConfigError` naming it."""
        return cls(
            client_id=_variable(environ, CLIENT_ID_VARIABLE),
            client_secret=_variable(environ, CLIENT_SECRET_VARIABLE),
            refresh_token=_variable(environ, REFRESH_TOKEN_VARIABLE),
        )

    @classmethod
    def load(cls, config_dir: Path, environ: Mapping[str, str] = os.environ) -> Credentials:
        """The [amazon] table of `config_dir/secrets.toml`, each key overridden by its
        SPAPI_* variable when that is set; a missing one is a `ConfigError` naming both."""
        stored = read_secrets(config_dir).get("amazon", {})
        values = {}
        for key, variable in _VARIABLES.items():
            values[key] = environ.get(variable, "").strip() or stored.get(key, "")
            if not values[key]:
                raise ConfigError(
                    f"the Amazon credential {key} is missing: set the environment variable "
                    f"{variable}, or put it under [amazon] in {SECRETS_FILE} beside shop.toml "
                    "(mode 600)",
                    source=str(config_dir / SECRETS_FILE),
                )
        return cls(**values)

    def secrets(self) -> tuple[str, ...]:
        """The values no message, log line or repr may show."""
        return (self.client_id, self.client_secret, self.refresh_token)

    def __repr__(self) -> str:
        return f"Credentials(client_id={_HIDDEN}, client_secret={_HIDDEN}, refresh_token={_HIDDEN})"

    __str__ = __repr__


def _variable(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(
            f"the environment variable {name} is not set (Amazon credentials come from the "
            f"environment or from {SECRETS_FILE} beside shop.toml, mode 600)",
            source="environment",
        )
    return value
