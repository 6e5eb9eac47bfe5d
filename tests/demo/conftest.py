"""A tiny demo bundle, built once per session by `gigs demo build --quick`."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from gigs_core.cli.main import cli
from gigs_core.data.fashion_mnist import DEFAULT_DIR


@pytest.fixture(scope="session")
def quick_bundle(tmp_path_factory) -> Path:
    if not DEFAULT_DIR.is_dir():
        pytest.skip(f"Fashion-MNIST IDX files are not installed in {DEFAULT_DIR}")
    out = tmp_path_factory.mktemp("bundle") / "demo"
    result = CliRunner().invoke(cli, ["demo", "build", "--quick", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def no_lpips(tmp_path, monkeypatch):
    """An empty torch hub cache: LPIPS-alex's backbone is absent."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
