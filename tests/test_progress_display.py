"""Without a terminal (a log file, a batch job) a run still shows progress: an estimate after
the first steps, a line at most every interval, and each phase's total."""

import subprocess
import sys

from PIL import Image

from gigs_core.cli.progress_display import CliProgress, format_duration


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_lines_are_timed_and_estimate_what_is_left(capsys):
    clock = Clock()
    progress = CliProgress(terminal=False, interval=30.0, clock=clock)
    progress("inversion", 0, 100)
    for step in range(1, 101):
        clock.now += 2.0  # 2 s per step
        progress("inversion", step, 100)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == "inversion: step 5/100, 2.00 s/step, about 3m10s left"
    assert lines[1] == "inversion: step 20/100, 2.00 s/step, about 2m40s left"  # 30 s after the estimate
    assert lines[-1] == "inversion: 100 steps in 3m20s (2.00 s/step)"
    assert len(lines) == 2 + (100 - 20) // 15 + 1


def test_a_short_phase_prints_its_total_only(capsys):
    progress = CliProgress(terminal=False, clock=Clock())
    for step in range(4):
        progress("shifting", step, 3)
    assert capsys.readouterr().err.strip().splitlines() == ["shifting: 3 steps in 0s (0.00 s/step)"]


def test_disabled_progress_prints_nothing(capsys):
    progress = CliProgress(enabled=False, terminal=False)
    progress("inversion", 1, 1)
    assert capsys.readouterr().err == ""


def test_durations_read_as_a_person_says_them():
    assert [format_duration(s) for s in (0.4, 42, 425, 7380)] == ["0s", "42s", "7m05s", "2h03m"]


def test_a_run_with_stderr_in_a_file_shows_its_progress_there(tmp_path):
    photo = tmp_path / "shoe.png"
    Image.new("RGB", (12, 10), (200, 30, 30)).save(photo)
    log = tmp_path / "run.log"
    with log.open("w") as stderr:
        done = subprocess.run([sys.executable, "-m", "gigs_core", "run", "-g", "toy", "-r", "toy", "-i", str(photo),
                               "--steps", "6", "--n", "2", "--perceptual", "none",
                               "-o", str(tmp_path / "run")], stderr=stderr, stdout=subprocess.DEVNULL, cwd=tmp_path)
    assert done.returncode == 0, log.read_text()
    lines = log.read_text().splitlines()
    assert any(line.startswith("inversion: step 5/6, ") and line.endswith(" left") for line in lines)
    assert any(line.startswith("inversion: 6 steps in ") for line in lines)
    assert any(line.startswith("shifting: 6 steps in ") for line in lines)
