"""Reading the shop's TOML files: typed getters whose errors name the file, entry and problem.

A `Table` wraps one TOML table together with where it sits ("products.toml product[2] (sku
MUG-11) surface 'FRONT'"). It rejects unknown keys before anything else is read, so a typo such
as `widht_mm` is reported as a typo rather than as a missing `width_mm`.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from production.core.errors import ConfigError

__all__ = ["Location", "Table", "read_toml", "resolve_path"]

_REQUIRED: object = object()
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = " (at end of document)"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value sits: the configuration folder and a human path inside it."""

    source: str  # the configuration folder, shown first by `ConfigError.__str__`
    where: str  # e.g. "printers.toml printer[1] (id uv-1)"

    def error(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {problem}", source=self.source)

    def child(self, suffix: str) -> Location:
        return Location(self.source, f"{self.where} {suffix}")


def read_toml(root: Path, name: str) -> dict[str, object] | None:
    """The parsed file `root/name`, or None when it does not exist (defaults apply)."""
    path = root / name
    location = Location(str(root), name)
    if not path.exists():
        return None
    try:
        data = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise location.error(f"cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise location.error(f"is not UTF-8 text (byte {exc.start})") from exc
    try:
        return tomllib.loads(data)
    except tomllib.TOMLDecodeError as exc:
        raise location.error(_describe_toml_error(exc, data)) from exc


def _describe_toml_error(exc: tomllib.TOMLDecodeError, text: str) -> str:
    # Python 3.11 keeps the position only inside the message: lead with it for the shop owner.
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match is not None:
        reason = message[: match.start()]
        return f"invalid TOML on line {match.group(1)} (column {match.group(2)}): {reason}"
    if message.endswith(_AT_END):
        reason = message.removesuffix(_AT_END)
        last_line = max(1, len(text.splitlines()))
        return f"invalid TOML on line {last_line} (the end of the file): {reason}"
    return f"invalid TOML: {message}"


def resolve_path(root: Path, value: str) -> Path:
    """`value` made absolute against the configuration folder, `~` expanded, `..` folded."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = root / path
    # normpath, not resolve(): symlinks the shop set up (or /tmp on macOS) stay as written.
    return Path(os.path.normpath(path))


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    for kind, name in names.items():
        if type(value) is kind:
            return name
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class Table:
    """One TOML table being read; every getter raises `ConfigError` naming the key and entry."""

    def __init__(self, data: object, location: Location, keys: Collection[str]) -> None:
        if not isinstance(data, dict):
            raise location.error(f"must be a table, not {_toml_type(data)}")
        self.location = location
        self._data: Mapping[str, object] = data
        for key in data:
            if key not in keys:
                raise self.error(_unknown_key(key, keys))

    def error(self, problem: str) -> ConfigError:
        return self.location.error(problem)

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def raw(self, key: str) -> object:
        return self._data.get(key)

    def text(self, key: str, default: object = _REQUIRED) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self._wrong_type(key, "a string", value)
        if not value.strip():
            raise self.error(f"{key} must not be empty")
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if key in self._data else None

    def choice(self, key: str, allowed: Sequence[str], default: object = _REQUIRED) -> str:
        value = self.text(key, default)
        if value not in allowed:
            options = ", ".join(f"'{option}'" for option in allowed)
            raise self.error(f"{key} must be one of {options}, not '{value}'")
        return value

    def number(self, key: str, default: object = _REQUIRED, *, positive: bool = False) -> float:
        """A finite number (integer or float); `positive` refuses zero, otherwise it must be ≥ 0."""
        value = self._get(key, default)
        return _check_number(self, key, value, positive=positive)

    def integer(self, key: str, default: object = _REQUIRED, *, minimum: int = 0) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong_type(key, "an integer", value)
        if value < minimum:
            raise self.error(f"{key} must be at least {minimum}, not {value}")
        return value

    def boolean(self, key: str, default: object = _REQUIRED) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self._wrong_type(key, "true or false", value)
        return value

    def text_list(self, key: str, default: object = _REQUIRED) -> tuple[str, ...]:
        value = self._get(key, default)
        if not isinstance(value, list | tuple):
            raise self._wrong_type(key, "an array of strings", value)
        items: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key}[{index}] must be a non-empty string")
            items.append(item.strip())
        return tuple(items)

    def number_list(self, key: str) -> tuple[float, ...]:
        value = self._get(key, _REQUIRED)
        if not isinstance(value, list):
            raise self._wrong_type(key, "an array of numbers", value)
        return tuple(
            _check_number(self, f"{key}[{index}]", item, signed=True)
            for index, item in enumerate(value)
        )

    def path(self, key: str, root: Path, default: object = _REQUIRED) -> Path:
        return resolve_path(root, self.text(key, default))

    def optional_path(self, key: str, root: Path) -> Path | None:
        return self.path(key, root) if key in self._data else None

    def table(self, key: str, keys: Collection[str]) -> Table | None:
        if key not in self._data:
            return None
        return Table(self._data[key], self.location.child(f"[{key}]"), keys)

    def array_of_tables(self, key: str) -> list[dict[str, object]]:
        """The raw entries of `[[key]]`; each becomes a `Table` once its label is known."""
        value = self._data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error(f"{key} must be an array of tables ([[{key}]] entries)")
        return list(value)

    def _get(self, key: str, default: object) -> object:
        if key in self._data:
            return self._data[key]
        if default is _REQUIRED:
            raise self.error(f"{key} is missing")
        return default

    def _wrong_type(self, key: str, expected: str, value: object) -> ConfigError:
        return self.error(f"{key} must be {expected}, not {_toml_type(value)}")


def _check_number(
    table: Table, key: str, value: object, *, positive: bool = False, signed: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise table.error(f"{key} must be a number, not {_toml_type(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise table.error(f"{key} must be a finite number, not {value}")
    if positive and number <= 0:
        raise table.error(f"{key} must be greater than 0, not {value}")
    if not signed and number < 0:
        raise table.error(f"{key} must not be negative, not {value}")
    return number


def _unknown_key(key: str, keys: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(keys), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    allowed = ", ".join(sorted(keys)) or "none"
    return f"unknown key '{key}'{hint}; allowed keys: {allowed}"
