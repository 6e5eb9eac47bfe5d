"""The Ray engine on a local cluster started here (one for the module): the same results as
the local engine, and `kill -9` of a worker and of the driver, then a re-run: every job once."""

import contextlib
import logging
import os
import signal
import time
from pathlib import Path

import pytest

from gigs_core.batch.jobs import job_key
from tests.batch.conftest import items_of, run_cli, toy_args
from tests.batch.kill_checks import assert_complete, finished_jobs, stamps, start_batch, wait_for_jobs

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def cluster():
    """A Ray instance on loopback with 2 CPUs; its address, for drivers in other processes."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def test_ray_results_equal_the_local_engine(cluster, inputs, tmp_path):
    common = toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "all,random:5", "--batch-size", "2")
    assert run_cli([*common, "--out", str(tmp_path / "local")]).exit_code == 0
    result = run_cli([*common, "--engine", "ray", "--workers", "2", "--out", str(tmp_path / "ray")])
    assert result.exit_code == 0, result.output
    local, on_ray = items_of(tmp_path / "local"), items_of(tmp_path / "ray")
    assert len(local) == 6 and local == on_ray  # bit-identical: same seeds, batches and thread count
    assert ray.is_initialized()  # a cluster the command did not start is left running


def _worker_pids() -> list[int]:
    """Ray names an actor's process after its class (``ray::BatchWorker``)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and b"BatchWorker" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def test_killed_worker_and_killed_driver_then_rerun_does_every_job_once(cluster, inputs, tmp_path):
    out = tmp_path / "out"
    args = toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "all,random:5", "--batch-size", "1",
                    "--shift-steps", "10", "--engine", "ray", "--ray-address", cluster, "--workers", "2",
                    "--out", str(out))
    child = start_batch(args)
    wait_for_jobs(child, out, 1)
    workers = _worker_pids()
    assert workers, "no Ray worker process found"
    os.kill(workers[0], signal.SIGKILL)  # Ray restarts the actor and retries its batch
    done = len(finished_jobs(out))
    wait_for_jobs(child, out, done + 1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    before = stamps(out)
    assert len(before) < 6
    time.sleep(0.5)  # let Ray notice the driver is gone and free its workers' CPUs
    rerun = start_batch(args)
    output, _ = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, output
    keys = [job_key(f"p{index}", segment) for index in range(3) for segment in ("all", "random:5")]
    assert_complete(out, keys, before)
