"""A clustering fit killed with SIGKILL mid-way leaves no (hidden) temporary file next to its outputs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

FIT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from mixseq.cluster import make_clusterer
    from mixseq.utils import scratch_path

    out = sys.argv[1]
    X = np.random.default_rng(0).normal(size=(40, 60)).astype("float32") + 5
    model = make_clusterer("mixseq", 2, seed=0, epochs=100000, batch_size=8, device="cpu", threads=1,
                           progress=False, init=None)
    with scratch_path(out + "/train_log.tsv") as tmp:
        print("fitting", flush=True)
        model.fit(X, log_path=tmp)
    """
)


def test_sigkill_during_fit_leaves_no_temp_file(tmp_path):
    out = tmp_path / "results" / "clusters"
    out.mkdir(parents=True)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen([sys.executable, "-c", FIT, str(out)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "fitting"
        time.sleep(3)  # well inside the 100,000-epoch fit
        assert proc.poll() is None
        assert list(scratch.rglob("train_log.tsv")), "the open training log is in $TMPDIR"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert list(out.iterdir()) == []  # mid-fit: the log lived outside the results directory


def test_atomic_path_removes_a_killed_writers_temp(tmp_path):
    from mixseq.utils import atomic_path

    stale = tmp_path / ".out.tsv.abc123.tmp"
    stale.write_text("half")
    stale_dir = tmp_path / ".out.tsv.xyz.tmp"
    stale_dir.mkdir()
    other = tmp_path / ".other.tsv.abc.tmp"
    other.write_text("keep")
    with atomic_path(tmp_path / "out.tsv") as tmp:
        tmp.write_text("ok")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.tsv.abc.tmp", "out.tsv"]
