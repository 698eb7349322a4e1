"""Train the base DeepAR of the §5.1 DeepAR synthetic data on Rossmann sales (the paper used Wiki)."""

from pathlib import Path

from _bootstrap import start, torch_runtime

from mixseq.experiments.synthetic_deepar import save_state, train_base_deepar
from mixseq.utils import atomic_path, seed_everything

smk, log = start()
opts = dict(smk.params.options)
seed = int(opts.pop("seed", 0))
seed_everything(seed)
state = train_base_deepar(smk.input.train, seed=seed, **torch_runtime(smk, log),
                          log_path=Path(smk.log[0]).with_suffix(".epochs.tsv"), **opts)
with atomic_path(smk.output[0]) as tmp:
    save_state(state, tmp)
