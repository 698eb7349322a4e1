# Helpers of the `future` target (workflow/rules/future.smk): the candidate named in config, the clustering
# inputs, the GPU request, and the target's files (one forecast, cluster table and figure per real dataset).

def future_cfg():
    return config["future"]


def future_fixed():
    """The candidate named in config (`future.method`, `.k`, `.forecaster` all set), else None."""
    f = future_cfg()
    if all(f.get(key) is not None for key in ("method", "k", "forecaster")):
        return {"method": f["method"], "k": int(f["k"]), "forecaster": f["forecaster"],
                "seed": int(f.get("seed", first_realdata_seed()))}
    return None


def future_assignment_files(dataset):
    """{"<method>/k<K>/seed<seed>": assignments file} of every clustering the future forecast may use: the one
    named in config, else those of every realdata candidate of `dataset` (the script picks the selected one)."""
    fixed = future_fixed()
    if fixed is not None:
        runs = {(fixed["method"], fixed["k"], fixed["seed"])}
    else:
        runs = {(m, k, seed) for ds, m, k, _, seed in realdata_candidates() if ds == dataset}
    return {f"{m}/k{k}/seed{seed}": cluster_path("assignments.tsv", dataset, m, k, seed) for m, k, seed in sorted(runs)}


def future_assignments(wildcards):
    return list(future_assignment_files(wildcards.dataset).values())


def gpu_for_future(wildcards):
    """A GPU when the forecaster is (or, when selected on validation, may be) a torch one."""
    fixed = future_fixed()
    bases = [base_name(fixed["forecaster"])] if fixed else (config.get("realdata") or {}).get("forecasters", [])
    return config["gpu"] if set(bases) & TORCH_FORECASTERS else 0


def future_selection(wildcards):
    return [] if future_fixed() is not None else [res_path("selection.tsv")]


def future_slice(dataset):
    """The config the future forecast of `dataset` depends on (its stamp and table fingerprint)."""
    fixed = future_fixed()
    aliases = [fixed["forecaster"]] if fixed else realdata_aliases()[1]
    return {
        "future": future_cfg(),
        "forecasters": {a: _result_options(forecaster_options(a, dataset)) for a in aliases},
        "evaluation": evaluation_cfg(dataset),
        "n_samples": config["n_samples"],
        "quantiles": config["quantiles"],
    }


