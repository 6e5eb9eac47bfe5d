"""Shared by the kill tests: start `gigs batch` as a real process, wait for finished jobs,
and check a batch folder after the re-run: every job once, every output valid."""

import json
import subprocess
import time
from pathlib import Path

from tests.batch.conftest import gigs_command, subprocess_env


def start_batch(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([*gigs_command(), *args], env=subprocess_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def finished_jobs(out: Path) -> list[Path]:
    return [folder for folder in (out / "jobs").glob("*") if (folder / ".gigs-run").is_file()]


def wait_for_jobs(child: subprocess.Popen, out: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(finished_jobs(out)) < count:
        assert child.poll() is None, f"the batch ended before {count} jobs were done: {child.stdout.read()}"
        assert time.monotonic() < deadline, "timed out waiting for jobs"
        time.sleep(0.05)


def assert_complete(out: Path, keys: list[str], untouched: dict[Path, int]) -> None:
    """Every job finished exactly once, each report valid, the summary complete, nothing left
    half-written, and the jobs finished before the kill not done again."""
    assert sorted(path.name for path in (out / "jobs").iterdir()) == sorted(keys)  # no staging folder left
    for key in keys:
        report = json.loads((out / "jobs" / key / "report.json").read_text())
        assert len(report["items"]) == 1 and report["metadata"]["format"] == "gigs-run"
        assert (out / "jobs" / key / "report.html").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["done"] == summary["jobs"] == len(keys) and summary["failed"] == summary["pending"] == 0
    assert sorted(row["key"] for row in summary["rows"]) == sorted(keys)
    assert not (out / "failed").exists() or not list((out / "failed").iterdir())
    assert all(path.stat().st_mtime_ns == stamp for path, stamp in untouched.items())


def stamps(out: Path) -> dict[Path, int]:
    return {folder / "report.json": (folder / "report.json").stat().st_mtime_ns for folder in finished_jobs(out)}
