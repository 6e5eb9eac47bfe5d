"""`kill -9` of the driver during a local batch, then the same command again: every job once."""

import signal

from gigs_core.batch.jobs import job_key
from tests.batch.conftest import toy_args
from tests.batch.kill_checks import assert_complete, stamps, start_batch, wait_for_jobs


def test_killed_driver_then_rerun_does_every_job_once(inputs, tmp_path):
    out = tmp_path / "out"
    args = toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "all,random:5", "--batch-size", "1",
                    "--shift-steps", "10", "--out", str(out))
    child = start_batch(args)
    wait_for_jobs(child, out, 2)
    child.send_signal(signal.SIGKILL)
    child.wait()
    before = stamps(out)
    assert 2 <= len(before) < 6
    rerun = start_batch(args)
    output, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, output
    assert f"{len(before)} were done before, {6 - len(before)} done now" in output
    keys = [job_key(f"p{index}", segment) for index in range(3) for segment in ("all", "random:5")]
    assert_complete(out, keys, before)
