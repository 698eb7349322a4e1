"""mixseq.utils: seeding imports torch only where a step uses it; a seeded torch is reproducible."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

NON_TORCH_JOB = """
import sys
import numpy as np
import pandas as pd
from mixseq.experiments.rolling import rolling_forecast
from mixseq.utils import seed_everything
seed_everything(3)
t = np.arange(200)
series = (100 + 10 * np.sin(2 * np.pi * t / 7))[None, :]
dates = pd.date_range("2020-01-01", periods=200, freq="D")
res = rolling_forecast(series, dates, 160, 200, 160, 10, 10, 20, "seasonal_naive", seed=3)
assert len(res.origins) == 4
print("torch" in sys.modules)
"""

SEEDED_TORCH = """
import torch
from mixseq.utils import seed_everything
seed_everything(5); a = torch.rand(3)
seed_everything(5); b = torch.rand(3)
print(bool((a == b).all()))
"""


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    return out.stdout.strip()


def test_non_torch_forecast_never_imports_torch() -> None:
    """Seeding and a statistical rolling forecast leave torch unimported (2-4 s saved per job)."""
    assert _run(NON_TORCH_JOB) == "False"


def test_seed_everything_seeds_an_imported_torch() -> None:
    assert _run(SEEDED_TORCH) == "True"
