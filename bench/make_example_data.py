"""Write a small generated data set in the custom loader's long format (id, date, value) to try the workflow.

Usage: ``python bench/make_example_data.py [--freq W-FRI] [--periods 156] [--series 12]
[--out mydata/sales.csv.gz]``. Three groups of series (a yearly cycle, a cycle in antiphase, a trend) with
per-series levels and noise; ``--returns`` subtracts occasional returns so that some values are negative
(set ``negative: allow`` in the config then). Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mixseq.data.frequency import season_length  # noqa: E402


def example_frame(freq: str = "W-FRI", periods: int = 156, series: int = 12, seed: int = 0,
                  returns: bool = False, start: str = "2021-01-01") -> pd.DataFrame:
    """The long table: ``series`` series of ``periods`` periods at ``freq`` from ``start``."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=periods, freq=freq)
    s = max(season_length(freq), 2)
    t = np.arange(periods, dtype=np.float64)
    rows = []
    for i in range(series):
        group = i % 3
        shape = [np.sin(2 * np.pi * t / s), -np.sin(2 * np.pi * t / s), (t - periods / 2) / periods][group]
        level = rng.uniform(50, 150)
        y = level * (1 + 0.3 * shape) + rng.normal(0, 0.05 * level, periods)
        if returns:
            y -= rng.binomial(1, 0.05, periods) * 1.5 * level
        rows.append(pd.DataFrame({"id": f"store{i:02d}", "date": dates, "value": np.round(y, 2)}))
    df = pd.concat(rows, ignore_index=True)
    fmt = "%Y-%m-%d %H:%M" if freq.lower().startswith("h") else "%Y-%m-%d"
    df["date"] = df["date"].dt.strftime(fmt)
    return df


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--freq", default="W-FRI", help="pandas frequency alias (h, D, W-FRI, MS, QS, ...)")
    ap.add_argument("--periods", type=int, default=156)
    ap.add_argument("--series", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--returns", action="store_true", help="include negative values (returns)")
    ap.add_argument("--out", default="mydata/sales.csv.gz", help="output file (.gz: gzip-compressed)")
    a = ap.parse_args(argv)
    df = example_frame(a.freq, a.periods, a.series, a.seed, a.returns)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with (gzip.open(tmp, "wt") if out.suffix == ".gz" else open(tmp, "w")) as fh:
        df.to_csv(fh, index=False)
    tmp.replace(out)
    print(f"{out}: {a.series} series x {a.periods} periods ({a.freq}), {df['date'].iloc[0]}..{df['date'].iloc[-1]}")


if __name__ == "__main__":
    main()
