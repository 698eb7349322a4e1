"""Train the base DeepAR of the §5.1 DeepAR synthetic data on Rossmann sales (the paper used Wiki)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from mixseq.experiments.synthetic_deepar import save_state, train_base_deepar  # noqa: E402
from mixseq.runtime import setup  # noqa: E402
from mixseq.utils import atomic_path, seed_everything, torch_device  # noqa: E402

smk = snakemake  # noqa: F821
log = setup(smk)
opts = dict(smk.params.options)
seed = int(opts.pop("seed", 0))
seed_everything(seed)
log.info("device: %s", torch_device(smk.config["device"]))
# device comes from the config, not params: where a step runs does not trigger a rerun (docs/execution.md)
state = train_base_deepar(smk.input.train, seed=seed, device=smk.config["device"], threads=smk.threads,
                          log_path=Path(smk.log[0]).with_suffix(".epochs.tsv"), **opts)
with atomic_path(smk.output[0]) as tmp:
    save_state(state, tmp)
