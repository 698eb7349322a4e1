"""`snakemake --report` after the test workflow: every table and figure with its caption, the config, per-rule
runtimes; the figure really renders in headless Chromium.

The report is a single-page app without URL routing (no fragment selects a result). What a click on a result
does is `app.setView({...content: "img", contentPath: <data URI>})` on the global `app`; the test appends that
call to a copy of the report, so Chromium shows the report's own view of the figure (caption panel + image).
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image as mpimg
import pytest
from conftest import MIRROR, snakemake_bin
from exec_support import require_binaries

pytestmark = pytest.mark.slow

FIGURE = "results/test/figures/table1_toy.png"
WIDTH, HEIGHT = 1400, 1000
NAVIGATE = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const path = %s;
  app.setView({navbarMode: "resultinfo", resultPath: path, content: "img", contentPath: results[path].data_uri});
}, 300));
</script>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    require_binaries(("chromium",), "chromium")
    raise AssertionError("unreachable")


def embedded(html: str, var: str) -> dict:
    m = re.search(rf"var {var} = (\{{.*?\}});\s*</script>", html, re.S)
    assert m, f"report has no `var {var}`"
    return json.loads(m.group(1))


def test_report_has_every_result_config_runtimes_and_figure_renders(full_run: Path, tmp_path: Path):
    browser = chromium()
    wd = full_run
    res = subprocess.run([snakemake_bin(), "--cores", "1", "--configfile", "config/test.yaml", "--config",
                          f"mirror={MIRROR}", "--report", "results/test/report.html"], cwd=wd, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    html = (wd / "results/test/report.html").read_text()

    results = embedded(html, "results")
    for path, caption in (("results/test/table1.tsv", "Paper Table 1"), (FIGURE, "One rolling window"),
                          ("results/test/table2.tsv", "Paper Table 2"), ("results/test/table4.tsv", "Paper Table 4"),
                          ("results/test/table5.tsv", "Paper Table 5"),
                          ("results/test/table_methods.tsv", "Every configured"),
                          ("results/test/convergence.tsv", "Supplement Figure 1"),
                          ("results/test/figures/sensitivity_k_rossmann100.png", "Paper Figure 1"),
                          ("results/test/table_sensitivity_synthetic.tsv", "Paper §5.3")):
        assert path in results, sorted(results)
        assert caption in results[path]["caption"]
    assert embedded(html, "categories")["Toy study"]
    # the configuration (workflow/report/workflow.rst renders snakemake.config) and per-rule runtimes
    desc = re.search(r'var workflow_desc = (".*?");\s*</script>', html, re.S).group(1)
    assert "&quot;n_samples&quot;: 20" in json.loads(desc)
    runtimes = embedded(html, "runtimes_spec")["data"]["values"]
    assert {r["rule"] for r in runtimes} >= {"synthetic_panel", "cluster", "forecast", "table1", "realdata_tables"}

    page = tmp_path / "report_figure.html"
    i = html.rfind("</body>")
    page.write_text(html[:i] + NAVIGATE % json.dumps(FIGURE) + html[i:])
    shot = tmp_path / "figure.png"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=5000",
           f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", page.as_uri()]
    out = subprocess.run(["timeout", "-s", "KILL", "120", *cmd], capture_output=True, text=True)
    assert out.returncode == 0 and shot.exists(), out.stderr[-2000:]
    img = mpimg.imread(shot)[..., :3]
    assert img.shape[:2] == (HEIGHT, WIDTH)
    # the figure fills the right part of the window (the left part is the caption panel)
    right = img[:, int(0.45 * WIDTH):]
    nonwhite = (right.min(axis=2) < 0.9).mean()
    assert 0.03 < nonwhite < 0.9 and right.std() > 0.05, (nonwhite, right.std())
    # blue and red forecast lines of the figure are on screen (matplotlib tab:blue / tab:red)
    r, g, b = right[..., 0], right[..., 1], right[..., 2]
    assert ((b > 0.6) & (r < 0.3)).sum() > 50 and ((r > 0.7) & (g < 0.3) & (b < 0.3)).sum() > 50
    shutil.copy(shot, wd / "results/test/report_figure_screenshot.png")
    print(f"screenshot {img.shape[1]}x{img.shape[0]}, non-white fraction of figure area {nonwhite:.3f}")


def test_convergence_rule_and_in_run_flag() -> None:
    import numpy as np
    import pandas as pd

    from mixseq.report.convergence import converged_in_run, objective_curve, seconds_to_converge

    secs = np.arange(1.0, 7.0)
    plateau = np.array([10.0, 3.0, 1.2, 1.05, 1.0, 1.0])  # 99 % of the improvement made at t = 4
    assert seconds_to_converge(secs, plateau, 0.01) == 4.0 and converged_in_run(secs, plateau, 0.01)
    falling = np.array([10.0, 8.0, 6.0, 4.0, 2.0, 1.0])  # still improving when training stopped
    assert seconds_to_converge(secs, falling, 0.01) == 6.0 and not converged_in_run(secs, falling, 0.01)
    # running best still falling over the last quarter, then one worse epoch: not converged
    secs8 = np.arange(1.0, 21.0)
    best = np.minimum.accumulate(np.r_[np.linspace(10.0, 2.0, 19), 3.0])
    assert not converged_in_run(secs8, best, 0.01)
    log = pd.DataFrame({"loglik": [-5.0, -3.0, -4.0, -2.0], "seconds": [0.1, 0.2, 0.3, 0.4]})
    _, best = objective_curve(log, "mixarma")  # maximised: running best over EM restarts
    np.testing.assert_array_equal(best, [-5.0, -3.0, -3.0, -2.0])
