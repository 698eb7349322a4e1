"""Every `snakemake ...` command in README.md, config/README.md and docs/*.md works as written.

Each command is taken from the fenced code blocks (continuation lines joined, trailing comments dropped) and run
with `-n` (dry run) in a copy of the repository whose `../shared/data` is the data mirror, exactly as a user would
type it from the repository root. `--lint` and `--unlock` run as they are; `--report` is checked on a dry run of the
same config (a report needs finished results); `--sdm conda` needs conda, which no CI machine has: there the
command must get as far as Snakemake's own "conda not installed" error (so its arguments parsed).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MIRROR, REPO, snakemake_bin

pytestmark = pytest.mark.slow

DOCS = [REPO / "README.md", REPO / "config" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
COPY = ("Snakefile", "workflow", "config", "envs", "profiles", "src", "bench", "pyproject.toml")


def doc_commands() -> list[tuple[str, str]]:
    """``(where, command)`` for every snakemake command line inside a fenced code block of the docs."""
    found = []
    for doc in DOCS:
        in_block, pending, start = False, "", 0
        for no, line in enumerate(doc.read_text().splitlines(), 1):
            if line.lstrip().startswith("```"):
                in_block, pending = not in_block, ""
                continue
            if not in_block:
                continue
            text = line.strip()
            if pending:
                text = pending + " " + text
            else:
                start = no
            if text.endswith("\\"):
                pending = text[:-1].rstrip()
                continue
            pending = ""
            text = re.sub(r"\s+#.*$", "", text)  # trailing comment
            for part in text.split("&&"):
                if not re.search(r"(^|[\s/])snakemake\s", part + " "):
                    continue
                words = shlex.split(part)
                idx = [i for i, w in enumerate(words) if w in ("snakemake", ".venv/bin/snakemake")]
                if idx:
                    found.append((f"{doc.relative_to(REPO)}:{start}", shlex.join(words[idx[0]:])))
    return found


COMMANDS = doc_commands()


def dag_key(command: str) -> tuple[str, ...]:
    """What decides a dry run's DAG: the arguments without the binary's path, ``--cores N``, ``--resources ...``
    and ``-n`` (every dry run adds ``-n``; cores and the GPU cap only schedule)."""
    words, out, skip = shlex.split(command)[1:], [], 0
    for w in words:
        if skip:
            skip -= 1
        elif w in ("--cores", "-c", "--resources"):
            skip = 1
        elif w not in ("-n", "--dry-run"):
            out.append(w)
    return tuple(out)


#: one dry run per distinct DAG (the first place it is written, with its own --cores/--resources, is the one run;
#: ``where`` names every place)
DRY_RUNS: dict[tuple[str, ...], tuple[list[str], str]] = {}
for _where, _command in COMMANDS:
    DRY_RUNS.setdefault(dag_key(_command), ([], _command))[0].append(_where)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's tracked workflow files under ``root/repo`` with ``root/shared`` -> the mirror's parent."""
    root = tmp_path_factory.mktemp("docs")
    repo = root / "repo"
    repo.mkdir()
    for name in COPY:
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, repo / name)
    (root / "shared").symlink_to(MIRROR.resolve().parent)
    # the README's "Your own data" block makes its example data first (config/custom.yaml reads mydata/)
    made = subprocess.run([sys.executable, "bench/make_example_data.py", "--freq", "W-FRI", "--out",
                           "mydata/sales.csv.gz"], cwd=repo, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    return repo


def test_docs_name_commands():
    assert len(COMMANDS) >= 10, COMMANDS
    where = {w.split(":")[0] for w, _ in COMMANDS}
    assert "README.md" in where


@pytest.mark.parametrize("where,command", [(" ".join(w), c) for w, c in DRY_RUNS.values()],
                         ids=[w[0] for w, _ in DRY_RUNS.values()])
def test_doc_command_dry_runs(clone: Path, where: str, command: str):
    args = shlex.split(command)[1:]
    env = dict(os.environ)
    if "--lint" in args or "--unlock" in args:
        run_args = args
    elif "--report" in args:
        i = args.index("--report")
        run_args = ["-n", *args[:i], *args[i + 2:]]
    else:
        # first, so it stays an option when the command ends in `-- targets`
        run_args = ["-n", *args]
    res = subprocess.run([snakemake_bin(), *run_args], cwd=clone, capture_output=True, text=True, timeout=600,
                         env=env)
    out = res.stdout + res.stderr
    if "--sdm" in args and shutil.which("conda") is None and shutil.which("mamba") is None:
        # the arguments parsed and the DAG was built; only the missing conda binary stops it
        assert "Building DAG of jobs" in out and "Is conda installed" in out, out[-3000:]
        return
    assert res.returncode == 0, f"{where}: `{command}` failed:\n{out[-3000:]}"
