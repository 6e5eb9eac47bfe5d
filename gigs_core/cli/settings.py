"""Reading command settings: ``KEY=VALUE`` backend options and ``--config`` files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gigs_core.errors import UserInputError


def parse_value(text: str) -> Any:
    """JSON when it parses (numbers, true/false, null, lists), else the plain string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_key_values(pairs: Iterable[str], flag: str) -> dict[str, Any]:
    """``["a=1", "path=x.pt"]`` → ``{"a": 1, "path": "x.pt"}``."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserInputError(f"{flag} takes KEY=VALUE, got {pair!r}")
        options[key.strip().replace("-", "_")] = parse_value(value.strip())
    return options


def read_config_file(path: str | Path) -> dict[str, Any]:
    """A TOML, YAML or JSON file of settings (chosen by extension) as a dict."""
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"config file {str(path)!r} does not exist")
    text = path.read_text()
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib
            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text) or {}
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise UserInputError(f"config file {str(path)!r}: use a .toml, .yaml/.yml or .json file")
    except UserInputError:
        raise
    except Exception as exc:  # each parser has its own error type
        raise UserInputError(f"config file {str(path)!r} could not be parsed: {exc}") from None
    if not isinstance(data, dict):
        raise UserInputError(f"config file {str(path)!r} must hold a table/mapping of settings")
    return {str(key).replace("-", "_"): value for key, value in data.items()}
