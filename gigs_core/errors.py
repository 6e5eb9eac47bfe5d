"""The error hierarchy of gigs.

Library code raises these; the CLI is the one place that turns them into a
one-line message and an exit code (``UserInputError`` and its subclasses are
the user's to fix and exit with code 2).
"""

from __future__ import annotations


class GigsError(Exception):
    """Base class of every error gigs raises on purpose."""


class UserInputError(GigsError):
    """Something the user gave us is wrong: a path, a name, an option, a file."""


class UnknownBackendError(UserInputError):
    """A backend name that no loaded plugin registered."""


class InvalidOptionsError(UserInputError):
    """Options that a backend's options model rejected."""


class CheckpointError(UserInputError):
    """A checkpoint that is missing, unreadable, or of another architecture."""


class MissingWeightsError(UserInputError):
    """Weights that are normally downloaded are not in the local cache."""


class DataError(UserInputError):
    """A dataset or image that cannot be read or is inconsistent."""


class ResultError(GigsError):
    """The computation produced something unusable (e.g. NaN scores): a model or setting
    is broken, not the user's input; nothing is written."""


class PluginError(GigsError):
    """A plugin registered something that breaks the protocol it claims."""


def describe_validation_error(error, default_location: str = "options") -> str:
    """A pydantic ``ValidationError`` as ``location: message; …`` on one line."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or default_location}: "
        f"{problem['msg'].removeprefix('Value error, ')}"
        for problem in error.errors()
    )


def format_key_mismatch(missing: list[str], unexpected: list[str], limit: int = 8) -> str:
    """Summarise a state-dict mismatch: ``missing [...]; unexpected [...]``."""

    def show(keys: list[str]) -> str:
        head = ", ".join(keys[:limit])
        more = f", … (+{len(keys) - limit} more)" if len(keys) > limit else ""
        return f"[{head}{more}]"

    return f"missing keys {show(missing)}; unexpected keys {show(unexpected)}"
