"""Table 2 / §5.3 trial functions at toy sizes."""

from __future__ import annotations

import pytest

from mixseq.experiments.clustering import sensitivity_trial, table2_trial


def test_table2_trial_mixarma() -> None:
    out = table2_trial("arma", 3, seed=0, method="mixarma", options={"n_per_cluster": 100, "length": 100})
    assert set(out) == {"ri", "ri_infer", "seconds"}
    assert out["ri"] > 0.9 and out["ri_infer"] > 0.9
    with pytest.raises(ValueError, match="base_state"):
        table2_trial("deepar", 2, 0, "mixarma")
    with pytest.raises(ValueError, match="data_kind"):
        table2_trial("garch", 2, 0, "mixarma")


@pytest.mark.parametrize("K", [1, 3])
def test_sensitivity_trial(K: int) -> None:
    out = sensitivity_trial(K, seed=0, options={"n_per_cluster": 30, "length": 60, "test_steps": 20,
                                                "method": "mixarma", "refit_every": 2})
    assert 0.0 <= out["smape"] <= 1.0
    assert set(out) == {"smape", "ri", "seconds"}
