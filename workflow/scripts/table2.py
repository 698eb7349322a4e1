"""Paper Table 2: Rand index mean (sd) over trials, per method (and MixSeq-infer) and synthetic data set."""

import pandas as pd
from _bootstrap import start

from mixseq.cluster.base import torch_methods
from mixseq.provenance import table_header, write_md, write_tsv
from mixseq.report.tables import mean_sd, to_markdown

smk, log = start()
df = pd.concat([pd.read_csv(f, sep="\t") for f in smk.input.trials], ignore_index=True)
names = {"arma": "ARMA", "deepar": "DeepAR"}
cols = [(d, n) for d in smk.params.cfg["data"] for n in smk.params.cfg["clusters"]]
rows = []
for m in smk.params.cfg["methods"]:
    rows.append((m, "ri"))
    if m in torch_methods():  # the paper reports -infer rows for its neural methods (MixSeq, DTCR)
        rows.append((m, "ri_infer"))
label = {"mixarma": "MixARMA", "mixseq": "MixSeq", "dtcr": "DTCR"}
tab = pd.DataFrame(index=pd.Index([label.get(m, m) + ("-infer" if k == "ri_infer" else "") for m, k in rows],
                                  name="Rand index"),
                   columns=[f"{names[d]} {n} clusters" for d, n in cols], dtype=object)
for (m, key), r in zip(rows, tab.index, strict=True):
    for (d, n), c in zip(cols, tab.columns, strict=True):
        sel = df[(df.method == m) & (df.data == d) & (df.n_clusters == n)][key]
        tab.loc[r, c] = mean_sd(sel) if len(sel) else ""
header = table_header(smk.params.fingerprint, smk.params.data)
write_tsv(tab, smk.output.table, header)
write_md("Table 2: Rand index on synthetic mixtures, mean (sd) over trials; higher is better. "
         "-infer: clusters of newly generated series assigned by the trained model.\n\n"
         + to_markdown(tab, best="col", lower_is_better=False), smk.output.markdown, header)
log.info("\n%s", tab.to_string())
