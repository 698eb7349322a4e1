"""Pipeline benchmark: the per-job Snakemake benchmark files of a run summed per rule family.

Every heavy rule writes a benchmark file under ``benchmarks/<run>/`` whose path encodes the rule and its
wildcards (``workflow/rules/*.smk``, ``benchmark:``)::

    download/{dataset}/{file}.tsv
    preprocess/{dataset}.tsv
    synthetic_panel/{dataset}/seed{seed}.tsv
    cluster/{dataset}/{method}/k{K}/seed{seed}.tsv
    forecast/{dataset}/{method}/k{K}/{forecaster}/seed{seed}[.val].tsv
    future/{dataset}.tsv
    deepar_base.tsv
    table2/{data}/c{n}/{method}/seed{seed}.tsv
    sensitivity_synthetic/k{K}/seed{seed}.tsv

A file holds Snakemake's columns ``s  h:m:s  max_rss  max_vms  max_uss  max_pss  io_in  io_out  mean_load
cpu_time`` (seconds, MB, seconds), one row per repeat (``repeat()`` benchmarks: the mean of the wall and CPU
seconds and the largest RSS are used).

:func:`summarise` gives per family the number of jobs, the summed wall and CPU seconds, the peak RSS and the
seconds the family contributes to the *critical path*: the longest chain of dependent jobs by wall time, i.e.
the run's duration with unlimited cores. Dependencies are re-derived from the wildcards in the paths, as the
rules wire them: download -> preprocess (all raw files of the dataset) -> cluster (the panel of its dataset;
synthetic data: the panel of its seed) -> forecast (val and test split of the run: parallel jobs on the same
clustering) -> future (every forecast of its dataset: the candidate is selected from their scores);
deepar_base -> table2 trials on DeepAR mixtures. The tables themselves have no benchmark (they take seconds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: Snakemake's benchmark columns (a file must have at least those of REQUIRED)
COLUMNS = ("s", "h:m:s", "max_rss", "max_vms", "max_uss", "max_pss", "io_in", "io_out", "mean_load", "cpu_time")
REQUIRED = ("s", "max_rss", "cpu_time")

#: family -> pattern of the benchmark path (relative to benchmarks/<run>/, without `.tsv`)
PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(p)
    for name, p in {
        "download": r"download/(?P<dataset>[^/]+)/(?P<file>[^/]+)",
        "preprocess": r"preprocess/(?P<dataset>[^/]+)",
        "synthetic_panel": r"synthetic_panel/(?P<dataset>[^/]+)/seed(?P<seed>\d+)",
        "cluster": r"cluster/(?P<dataset>[^/]+)/(?P<method>[^/]+)/k(?P<K>\d+)/seed(?P<seed>\d+)",
        "forecast": r"forecast/(?P<dataset>[^/]+)/(?P<method>[^/]+)/k(?P<K>\d+)/(?P<forecaster>[^/]+)/"
                    r"seed(?P<seed>\d+)(?P<split>\.val)?",
        "future": r"future/(?P<dataset>[^/]+)",
        "deepar_base": r"deepar_base",
        "table2": r"table2/(?P<data>[^/]+)/c(?P<n>\d+)/(?P<method>[^/]+)/seed(?P<seed>\d+)",
        "sensitivity_synthetic": r"sensitivity_synthetic/k(?P<K>\d+)/seed(?P<seed>\d+)",
    }.items()
}
#: order of the families in the summary (the flow of the pipeline)
FAMILY_ORDER = tuple(PATTERNS)


class BenchmarkError(ValueError):
    """A benchmark file that cannot be read (names the file and what was expected)."""


@dataclass
class Job:
    """One benchmarked job: its family, wildcards, wall/CPU seconds and peak RSS (MB; NaN when not measured)."""

    path: str
    family: str
    wildcards: dict[str, str]
    wall_s: float
    cpu_s: float
    max_rss_mb: float


def parse_path(rel: str) -> tuple[str, dict[str, str]]:
    """``"cluster/rossmann/mixseq/k5/seed0.tsv"`` -> ``("cluster", {"dataset": "rossmann", ...})``.

    Raises :class:`BenchmarkError` for a path no benchmarked rule writes.
    """
    stem = rel[: -len(".tsv")] if rel.endswith(".tsv") else rel
    for family, pattern in PATTERNS.items():
        m = pattern.fullmatch(stem)
        if m:
            return family, {k: v for k, v in m.groupdict().items() if v is not None}
    raise BenchmarkError(f"{rel}: not the benchmark path of a rule (expected one of "
                         f"{[p.pattern for p in PATTERNS.values()]})")


def read_benchmark(path: str | Path, rel: str | None = None) -> Job:
    """Read one Snakemake benchmark file; ``rel`` is its path relative to the run's benchmark folder."""
    path = Path(path)
    rel = rel if rel is not None else path.name
    family, wildcards = parse_path(rel)
    try:
        tab = pd.read_csv(path, sep="\t", na_values=["NA", "-"])
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as err:
        raise BenchmarkError(f"{path}: not a Snakemake benchmark table ({err})") from err
    missing = [c for c in REQUIRED if c not in tab.columns]
    if missing:
        raise BenchmarkError(f"{path}: column(s) {missing} missing (expected Snakemake's {list(COLUMNS)}, "
                             f"got {list(tab.columns)})")
    if tab.empty:
        raise BenchmarkError(f"{path}: no rows (a benchmark file has one row per repeat)")
    numeric = tab[list(REQUIRED)].apply(pd.to_numeric, errors="coerce")
    for col in REQUIRED:
        bad = numeric[col].isna() & tab[col].notna()
        if bad.any():
            row = int(bad.idxmax())
            raise BenchmarkError(f"{path}: column '{col}' row {row + 1}: {tab[col].iloc[row]!r} is not a number")
    if numeric["s"].isna().any():
        raise BenchmarkError(f"{path}: column 's' (wall seconds) is empty")
    return Job(path=rel, family=family, wildcards=wildcards, wall_s=float(numeric["s"].mean()),
               cpu_s=float(numeric["cpu_time"].mean()), max_rss_mb=float(numeric["max_rss"].max()))


def collect(bench_dir: str | Path) -> list[Job]:
    """Every benchmark file under ``bench_dir`` (``benchmarks/<run>/``), sorted by path."""
    bench_dir = Path(bench_dir)
    if not bench_dir.is_dir():
        raise BenchmarkError(f"{bench_dir}: no benchmark folder (run the workflow first)")
    return [read_benchmark(p, p.relative_to(bench_dir).as_posix()) for p in sorted(bench_dir.rglob("*.tsv"))]


def _predecessors(job: Job, by_key: dict[tuple[str, ...], list[int]]) -> list[int]:
    """Indices of the jobs whose outputs ``job`` needs directly, from the wildcards (see the module doc)."""
    w = job.wildcards
    keys: list[tuple[str, ...]] = {
        "preprocess": [("download", w.get("dataset", ""))],
        "cluster": [("preprocess", w.get("dataset", "")), ("synthetic_panel", w.get("dataset", ""), w.get("seed", ""))],
        "forecast": [("cluster", *(w.get(k, "") for k in ("dataset", "method", "K", "seed")))],
        "future": [("forecast", w.get("dataset", ""))],
        "table2": [("deepar_base",)] if w.get("data") == "deepar" else [],
    }.get(job.family, [])
    return [i for key in keys for i in by_key.get(key, [])]


def _provides(job: Job) -> tuple[str, ...]:
    """The key under which later jobs find ``job`` (:func:`_predecessors`)."""
    w = job.wildcards
    if job.family == "synthetic_panel":
        return ("synthetic_panel", w["dataset"], w["seed"])
    if job.family == "cluster":
        return ("cluster", w["dataset"], w["method"], w["K"], w["seed"])
    if job.family in ("download", "preprocess", "forecast"):
        return (job.family, w["dataset"])
    return (job.family,)


def critical_path(jobs: Iterable[Job]) -> tuple[float, list[Job]]:
    """The longest chain of dependent jobs by wall seconds: ``(seconds, [first job, ..., last job])``."""
    order = sorted(jobs, key=lambda j: (FAMILY_ORDER.index(j.family), j.path))  # dependencies come first
    if not order:
        return 0.0, []
    by_key: dict[tuple[str, ...], list[int]] = {}
    finish: list[float] = []
    pred: list[int | None] = []
    for i, job in enumerate(order):
        preds = _predecessors(job, by_key)
        best = max(preds, key=lambda p: finish[p]) if preds else None
        finish.append((finish[best] if best is not None else 0.0) + job.wall_s)
        pred.append(best)
        by_key.setdefault(_provides(job), []).append(i)
    end = max(range(len(order)), key=lambda i: finish[i])
    chain: list[Job] = []
    cur: int | None = end
    while cur is not None:
        chain.append(order[cur])
        cur = pred[cur]
    return finish[end], chain[::-1]


def summarise(jobs: Iterable[Job]) -> tuple[pd.DataFrame, list[Job]]:
    """Per rule family: ``n_jobs, wall_s, cpu_s, max_rss_mb, critical_path_s``, plus a row ``all`` (totals; its
    ``critical_path_s`` is the length of the critical path). Also returns the critical path's jobs."""
    jobs = list(jobs)
    if not jobs:
        raise BenchmarkError("no benchmark files: nothing to summarise")
    length, chain = critical_path(jobs)
    frame = pd.DataFrame([{"family": j.family, "wall_s": j.wall_s, "cpu_s": j.cpu_s, "max_rss_mb": j.max_rss_mb}
                          for j in jobs])
    on_path = pd.Series([j.wall_s for j in chain], index=[j.family for j in chain], dtype=float)
    out = frame.groupby("family", sort=False).agg(n_jobs=("wall_s", "size"), wall_s=("wall_s", "sum"),
                                                  cpu_s=("cpu_s", "sum"), max_rss_mb=("max_rss_mb", "max"))
    out["critical_path_s"] = on_path.groupby(level=0).sum().reindex(out.index).fillna(0.0)
    out = out.reindex([f for f in FAMILY_ORDER if f in out.index]).reset_index()
    total = {"family": "all", "n_jobs": len(jobs), "wall_s": frame["wall_s"].sum(), "cpu_s": frame["cpu_s"].sum(),
             "max_rss_mb": frame["max_rss_mb"].max(), "critical_path_s": length}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True), chain


def to_markdown(table: pd.DataFrame, chain: list[Job], run: str) -> str:
    """The summary as a Markdown page: the table, then the jobs of the critical path in order."""
    lines = [f"# Pipeline benchmark: run `{run or '(none)'}`", "",
             "Sums of the per-job Snakemake benchmark files (`benchmarks/<run>/`). Wall and CPU seconds are summed "
             "over jobs; the critical path is the longest chain of dependent jobs (the run's duration with "
             "unlimited cores).", "",
             "| family | jobs | wall s | CPU s | peak RSS MB | on critical path s |", "|---|---|---|---|---|---|"]
    for row in table.itertuples(index=False):
        lines.append(f"| {row.family} | {row.n_jobs} | {row.wall_s:.1f} | {row.cpu_s:.1f} | "
                     f"{row.max_rss_mb:.0f} | {row.critical_path_s:.1f} |")
    lines += ["", f"Critical path ({sum(j.wall_s for j in chain):.1f} s):", ""]
    lines += [f"{i}. `{j.path}` ({j.wall_s:.1f} s)" for i, j in enumerate(chain, 1)]
    return "\n".join(lines) + "\n"
