"""The workflow through a real (single-node, localhost) SLURM cluster with profiles/slurm.

tests/slurm_cluster.sh starts munged, slurmctld and slurmd (Debian packages; `bash .ci/run` installs them) with
two partitions, `cpu` and `gpu` (one fake GPU). The test runs config/test.yaml with
`--workflow-profile profiles/slurm`, and checks that the jobs went through sbatch into the partitions the profile
names (from $SLURM_PARTITION / $SLURM_GPU_PARTITION) and that the results equal a local run.
To stay within the CI time budget only the seed-0 jobs run on SLURM (10 sbatch jobs); the seed-1 outputs and
Snakemake's metadata are copied from the local reference run, so Table 1 mixes both.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, snakemake_bin
from exec_support import (
    QUICK,
    copy_workflow,
    missing_system,
    prepopulate,
    reference_run,
    require_binaries,
    result_files,
    run,
)

pytestmark = pytest.mark.slow

SCRIPT = REPO / "tests/slurm_cluster.sh"
PACKAGES = "slurmctld slurmd slurm-client munge"


def test_workflow_on_slurm_equals_local_run(tmp_path_factory, tmp_path: Path):
    require_binaries(("slurmctld", "slurmd", "munged", "sbatch", "squeue"), PACKAGES)
    if os.geteuid() != 0:
        missing_system("tests/slurm_cluster.sh starts slurmd/munged and needs root (CI runs as root)")
    ref = reference_run(tmp_path_factory)
    wd = copy_workflow(tmp_path / "wf")
    prepopulate(wd, ref, "results/test/gp3/seed1", "results/test/arma3/seed1",
                *[str(p.relative_to(ref)) for p in ref.glob("results/test/*/*/*/*/seed1")],  # clusters/.../seed1 dirs
                *[str(p.relative_to(ref)) for p in ref.glob("results/test/*/*/*/*/*/seed1.*")])  # forecasts, scores
    cluster = tmp_path / "slurm"
    env = dict(os.environ, SLURM_ACCOUNT="mixseq", SLURM_PARTITION="cpu", SLURM_GPU_PARTITION="gpu")
    env["PATH"] = f"{cluster / 'bin'}:{env['PATH']}"
    try:
        started = run(["bash", str(SCRIPT), "start", str(cluster)], timeout=120)
        assert started.returncode == 0, started.stdout + started.stderr
        cmd = [snakemake_bin(), "--workflow-profile", "profiles/slurm", *QUICK,
               # no slurmdbd here: job status from squeue (MinJobAge=600 in slurm_cluster.sh), checks start after 3 s
               "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "3",
               "--slurm-keep-successful-logs", "--latency-wait", "10"]
        # the plugin can wait forever on a broken cluster and ignores SIGTERM: hard limit
        res = run(["timeout", "-s", "KILL", "480", *cmd], cwd=wd, env=env)
        out = res.stdout + res.stderr
        queue = run(["squeue", "-t", "all", "-h", "-o", "%i|%P|%T|%j"], env=env).stdout
        print(queue)
        assert res.returncode == 0, out[-4000:] + "\n" + queue
    finally:
        stopped = run(["bash", str(SCRIPT), "stop", str(cluster)], timeout=60)
        assert stopped.returncode == 0, stopped.stderr
    submitted = dict(re.findall(r"with SLURM jobid (\d+) \(log: \S*/slurm_logs/rule_(\w+?)/", out))
    assert len(submitted) == 2 + 4 + 4, out[-3000:]  # seed 0: panels, clusterings, forecasts (with scores)
    assert sorted(set(submitted.values())) == ["cluster", "forecast", "synthetic_panel"]
    states = {i: (part, state) for i, part, state, _ in (line.split("|") for line in queue.split())}
    for jobid, rule in submitted.items():
        want = "gpu" if rule in ("cluster", "forecast") else "cpu"
        assert states[jobid] == (want, "COMPLETED"), (jobid, rule, states.get(jobid))
    assert len(list((wd / ".snakemake/slurm_logs").rglob("*.log"))) == len(submitted)
    assert "device: cpu" in (wd / "logs/test/forecast/arma3/truth/k3/arma/seed0.log").read_text()
    assert result_files(wd) == result_files(ref)
    shutil.rmtree(wd / ".snakemake", ignore_errors=True)
