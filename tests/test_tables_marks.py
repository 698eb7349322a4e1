"""Marked real-data table cells on hand-built inputs: significance against Macro, mean (sd) over seeds, collapsed
clusterings (mixseq.report.tables)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mixseq.evaluate.significance import significance_table
from mixseq.report.tables import (
    MARK_COLLAPSED,
    MARK_WORSE,
    add_cluster_sizes,
    cluster_sizes,
    marked_markdown,
    marks_legend,
    select_on_validation,
    table_cells,
)

SEEDS = (0, 1)
N_SERIES = 12


def scores() -> pd.DataFrame:
    """Per-run scores of one dataset and forecaster: Macro (K=1), MixSeq at K 2 and 3, DTCR at K 2.

    On validation MixSeq K=3 wins for seed 0 and K=2 for seed 1; the test scores are chosen so that every
    selected cell has a known mean and sd over the two seeds.
    """
    rows = []
    test = {("macro", 1): (0.50, 0.52), ("mixseq", 2): (0.90, 0.40), ("mixseq", 3): (0.30, 0.99),
            ("dtcr", 2): (0.70, 0.74)}
    val = {("macro", 1): (0.5, 0.5), ("mixseq", 2): (0.6, 0.2), ("mixseq", 3): (0.1, 0.3), ("dtcr", 2): (0.4, 0.4)}
    for (method, k), per_seed in test.items():
        for seed in SEEDS:
            common = {"dataset": "shop", "method": method, "k": k, "forecaster": "deepar", "seed": seed}
            v = val[(method, k)][seed]
            rows.append({**common, "split": "val", "smape": v, "r0.5": v, "r0.9": v})
            t = per_seed[seed]
            rows.append({**common, "split": "test", "smape": t / 2, "r0.5": t, "r0.9": t + 0.1})
    return pd.DataFrame(rows)


def test_single_candidates_are_selected_without_validation_scores():
    """realdata.validation: auto drops the validation runs of groups with one candidate (Macro, DTCR at K = 2):
    the same selection and test rows as with them, val score NaN; a group with several candidates still needs
    its validation scores."""
    full = scores()
    lone = (full["split"] == "val") & full["method"].isin(["macro", "dtcr"])
    sel_all, chosen_all = select_on_validation(full, "r0.5")
    sel, chosen = select_on_validation(full[~lone], "r0.5")
    key = ["dataset", "method", "k", "forecaster", "seed"]
    pd.testing.assert_frame_equal(chosen.drop(columns="val_r0.5").sort_values(key).reset_index(drop=True),
                                  chosen_all.drop(columns="val_r0.5").sort_values(key).reset_index(drop=True))
    assert sel.loc[sel["method"].isin(["macro", "dtcr"]), "val_r0.5"].isna().all()
    assert sel.loc[sel["method"] == "mixseq", "val_r0.5"].notna().all() and len(sel) == len(sel_all) == 6
    no_mixseq_val = full[~((full["split"] == "val") & (full["method"] == "mixseq") & (full["seed"] == 1))]
    with pytest.raises(ValueError, match="several candidates to choose from"):
        select_on_validation(no_mixseq_val, "r0.5")


def write_assignments(tmp_path: Path, method: str, k: int, seed: int, labels: list[int]) -> str:
    path = tmp_path / f"{method}_k{k}_seed{seed}.tsv"
    pd.DataFrame({"id": [f"s{i}" for i in range(len(labels))], "cluster": labels}).to_csv(path, sep="\t",
                                                                                            index=False)
    return str(path)


def assignments(tmp_path: Path) -> dict[tuple[str, str, int, int], str]:
    """MixSeq K=3 seed 0 put every series into one cluster (the collapse seen on real data); the rest are fine."""
    out = {}
    for method, k in (("macro", 1), ("mixseq", 2), ("mixseq", 3), ("dtcr", 2)):
        for seed in SEEDS:
            labels = [i % k for i in range(N_SERIES)]
            if (method, k, seed) == ("mixseq", 3, 0):
                labels = [2] * N_SERIES
            out[("shop", method, k, seed)] = write_assignments(tmp_path, method, k, seed, labels)
    return out


def window_losses(rng: np.random.Generator) -> pd.DataFrame:
    """Per-window losses over 120 non-overlapping windows: MixSeq clearly below Macro, DTCR clearly above."""
    rows = []
    shift = {"macro": 0.0, "mixseq": -0.3, "dtcr": 0.3}
    base = rng.normal(1.0, 0.1, size=120)
    for method, s in shift.items():
        for seed in SEEDS:
            loss = base + s + rng.normal(0, 0.05, size=base.size)
            for w, x in enumerate(loss):
                rows.append({"dataset": "shop", "forecaster": "deepar", "method": method, "seed": seed,
                             "origin": f"o{w:03d}", "smape": x, "r0.5": x, "r0.9": x})
    return pd.DataFrame(rows)


def test_cluster_sizes_sorted_with_empty_clusters_as_zero():
    assert cluster_sizes([1, 1, 0, 1, 4], 3) == [3, 1, 1]
    assert cluster_sizes([2] * 111, 3) == [111, 0, 0]
    with pytest.raises(ValueError, match="4 distinct cluster labels for K=3"):
        cluster_sizes([0, 1, 2, 3], 3)


def test_selection_records_nonempty_clusters_and_flags_collapse(tmp_path: Path):
    selection, _ = select_on_validation(scores(), "r0.5")
    sel = add_cluster_sizes(selection, assignments(tmp_path)).set_index(["method_base", "seed"])
    assert (sel.loc[("mixseq", 0), ["k", "n_nonempty", "sizes", "collapsed"]].tolist()
            == [3, 1, "12/0/0", True])
    assert sel.loc[("mixseq", 1), ["k", "n_nonempty", "sizes"]].tolist() == [2, 2, "6/6"]
    assert sel.loc[("macro", 0), "sizes"] == "12" and not sel["collapsed"].drop(("mixseq", 0)).any()


def test_selection_names_a_bad_assignments_file(tmp_path: Path):
    selection, _ = select_on_validation(scores(), "r0.5")
    files = assignments(tmp_path)
    pd.DataFrame({"id": ["a"], "label": [0]}).to_csv(files[("shop", "dtcr", 2, 1)], sep="\t", index=False)
    with pytest.raises(ValueError, match=r"dtcr_k2_seed1\.tsv: expected a column 'cluster'"):
        add_cluster_sizes(selection, files)
    del files[("shop", "dtcr", 2, 1)]
    with pytest.raises(ValueError, match=r"no assignments.tsv given for the selected run \('shop', 'dtcr', 2, 1\)"):
        add_cluster_sizes(selection, files)


def test_cells_carry_mean_sd_significance_and_collapse(tmp_path: Path):
    selection, selected = select_on_validation(scores(), "r0.5")
    selection = add_cluster_sizes(selection, assignments(tmp_path))
    sig = significance_table(window_losses(np.random.default_rng(0)), horizon=1, stride=1)
    cells = table_cells(selected, selection, ["smape", "r0.5", "r0.9"], sig, alpha=0.05).set_index(
        ["method", "metric"])
    # selected: MixSeq K=3 for seed 0 (test r0.5 0.30) and K=2 for seed 1 (0.40)
    mix = cells.loc[("mixseq", "r0.5")]
    assert mix["mean"] == pytest.approx(0.35) and mix["sd"] == pytest.approx(np.std([0.30, 0.40], ddof=1))
    assert mix["n_seeds"] == 2 and mix["n_collapsed"] == 1 and mix["sizes"] == "12/0/0;6/6"
    assert cells.loc[("mixseq", "r0.9"), "mean"] == pytest.approx(0.45)
    assert cells.loc[("macro", "smape"), "mean"] == pytest.approx(0.255)
    # significance: MixSeq's losses 0.3 below Macro's on every window, DTCR's 0.3 above
    assert (cells.xs("mixseq", level="method")["sig"] == -1).all()
    assert (cells.xs("dtcr", level="method")["sig"] == 1).all()
    assert (cells.xs("macro", level="method")["sig"] == 0).all()
    assert cells.xs("macro", level="method")["p_holm"].isna().all()
    assert (cells.xs("mixseq", level="method")["p_holm"] < 0.05).all()
    # without a significance table (no Macro column) no cell is marked
    plain = table_cells(selected, selection, ["smape"], None)
    assert (plain["sig"] == 0).all() and plain["p_holm"].isna().all()


def test_markdown_shows_mean_sd_bold_best_and_marks(tmp_path: Path):
    selection, selected = select_on_validation(scores(), "r0.5")
    selection = add_cluster_sizes(selection, assignments(tmp_path))
    sig = significance_table(window_losses(np.random.default_rng(1)), horizon=1, stride=1)
    cells = table_cells(selected, selection, ["smape", "r0.5", "r0.9"], sig, alpha=0.05)
    md = marked_markdown(cells, ["shop"], ["deepar"], ["macro", "mixseq", "dtcr"], ["r0.5", "r0.9"], sd=True)
    header, sep, row = md.strip().splitlines()
    assert header == "| dataset | forecaster | macro | mixseq | dtcr |"
    _, d, f, macro, mixseq, dtcr, _ = [c.strip() for c in row.split("|")]
    assert (d, f) == ("shop", "deepar")
    sd_macro = np.std([0.50, 0.52], ddof=1)
    assert macro == f"{0.51:.4f} ({sd_macro:.4f})/{0.61:.4f} ({sd_macro:.4f})"
    sd_mix = np.std([0.30, 0.40], ddof=1)
    # best of each metric in bold, then \* (significantly better than Macro), then the collapse mark once
    assert mixseq == (f"**{0.35:.4f} ({sd_mix:.4f})**\\*/**{0.45:.4f} ({sd_mix:.4f})**\\*" + MARK_COLLAPSED)
    assert dtcr == f"{0.72:.4f} ({np.std([0.70, 0.74], ddof=1):.4f}){MARK_WORSE}/" \
                   f"{0.82:.4f} ({np.std([0.70, 0.74], ddof=1):.4f}){MARK_WORSE}"
    means_only = marked_markdown(cells, ["shop"], ["deepar"], ["macro", "mixseq"], ["r0.5", "r0.9"], sd=False)
    assert f"| {0.51:.4f}/{0.61:.4f} |" in means_only
    # a (dataset, forecaster) pair or method without runs leaves empty cells
    empty = marked_markdown(cells, ["shop"], ["tcn"], ["macro", "kshape"], ["smape"])
    assert empty.strip().splitlines()[-1] == "| shop | tcn |  |  |"


def test_legend_names_marks_and_level():
    text = marks_legend(0.05, "ewc")
    assert "\\*" in text and MARK_WORSE in text and MARK_COLLAPSED in text and "p < 0.05" in text
    assert "ewc test" in text
    assert "over the test windows and seeds" in marks_legend(0.05, "ewc", "windows_and_seeds")
    assert "no significance marks" in marks_legend(None) and MARK_COLLAPSED in marks_legend(None)
