"""The paper-comparison table: numbers transcribed once, cells matched by dataset kind, relative differences."""

import numpy as np
import pandas as pd
import pytest

from mixseq.report.paper import TABLE4, TABLE5, compare_to_paper, comparison_markdown, paper_values


def test_paper_values_cover_tables_4_and_5():
    pv = paper_values()
    # Table 4: 3 datasets x 3 forecasters x 4 methods x 2 quantiles; Table 5: 3 x 5 x 4
    assert len(pv) == 3 * 3 * 4 * 2 + 3 * 5 * 4
    cell = pv[(pv.dataset == "rossmann") & (pv.forecaster == "convtrans") & (pv.method == "mixseq")]
    assert dict(zip(cell.metric, cell.paper, strict=True)) == {"r0.5": 0.1847, "r0.9": 0.0813, "smape": 0.0961}
    assert set(TABLE4) == set(TABLE5) == {"rossmann", "m5", "wiki"}


def _selected(values: dict[tuple[str, str, int], float]) -> pd.DataFrame:
    rows = [{"dataset": "ross_small", "method_base": m, "forecaster_base": f, "seed": s, "smape": v,
             "r0.5": v, "r0.9": np.nan} for (m, f, s), v in values.items()]
    return pd.DataFrame(rows)


def test_compare_to_paper_means_over_seeds_and_flags_tolerance():
    sel = _selected({("mixseq", "tcn", 0): 0.10, ("mixseq", "tcn", 1): 0.12, ("macro", "arma", 0): 0.40,
                     ("kshape", "tcn", 0): 0.2})
    comp = compare_to_paper(sel, 0.15, {"ross_small": "rossmann"})
    # kshape is not in the paper, r0.9 is NaN, arma has no R0.5 in Table 4: those cells are left out
    got = {(r.method, r.forecaster, r.metric): r for r in comp.itertuples()}
    assert set(got) == {("mixseq", "tcn", "smape"), ("mixseq", "tcn", "r0.5"), ("macro", "arma", "smape")}
    r = got[("mixseq", "tcn", "smape")]
    assert r.ours == pytest.approx(0.11) and r.n_seeds == 2 and r.paper == 0.1027
    assert r.rel_diff == pytest.approx(0.11 / 0.1027 - 1) and r.within_tol
    m = got[("macro", "arma", "smape")]
    assert m.rel_diff == pytest.approx(0.40 / 0.2739 - 1) and not m.within_tol
    assert set(comp.paper_dataset) == {"rossmann"} and set(comp.dataset) == {"ross_small"}
    md = comparison_markdown(comp)
    assert "| ross_small | smape | 2 | 1 |" in md


def test_compare_to_paper_unmapped_dataset_and_bad_input():
    sel = _selected({("mixseq", "tcn", 0): 0.1})
    assert compare_to_paper(sel).empty  # "ross_small" is no paper dataset
    with pytest.raises(ValueError, match="tolerance"):
        compare_to_paper(sel, 1.5)
    with pytest.raises(ValueError, match="seed"):
        compare_to_paper(sel.drop(columns="seed"))
