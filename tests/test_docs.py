"""The reference docs cover what exists."""

from pathlib import Path

from gigs_core.cli.main import cli
from gigs_core.cli.reference import HAND_WRITTEN, render_reference
from gigs_core.registry import KINDS, specs

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cli_reference_is_current():
    generated, marker, hand_written = (DOCS / "cli.md").read_text().partition(HAND_WRITTEN)
    assert generated == render_reference(cli) + "\n", "regenerate: python -m gigs_core.cli.reference docs/cli.md"
    assert marker and "## Errors and exit codes" in hand_written


def test_every_hook_is_documented():
    from gigs_core import hookspecs

    text = (DOCS / "plugins.md").read_text()
    hooks = [name for name in dir(hookspecs) if name.startswith("register_")]
    assert hooks and all(f"`{hook}(" in text for hook in hooks)


def test_every_builtin_backend_option_is_documented():
    pages = "\n".join(page.read_text() for page in (DOCS / "backends").glob("*.md"))
    for kind in KINDS:
        for name, spec in specs(kind).items():
            if spec.origin.distribution != "gigs":
                continue  # test plugins and third parties document themselves
            for option in spec.options_model.model_fields:
                assert f"`{option}`" in pages, f"{kind} {name!r}: option {option!r} is not in docs/backends/"
