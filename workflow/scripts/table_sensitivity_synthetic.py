"""§5.3 synthetic sensitivity table: SMAPE mean (sd) over trials for Macro and MixSeq with each K."""

import pandas as pd
from _bootstrap import start

from mixseq.provenance import table_header, write_tsv
from mixseq.report.tables import mean_sd

smk, log = start()
df = pd.concat([pd.read_csv(f, sep="\t") for f in smk.input.trials], ignore_index=True)
rows = []
for k, g in df.groupby("k", sort=True):
    name = "Macro" if k == 1 else f"{g['method'].iloc[0]}_{k}"
    rows.append({"setting": name, "k": k, "smape": mean_sd(g["smape"]), "smape_mean": g["smape"].mean(),
                 "ri": mean_sd(g["ri"]), "trials": len(g)})
tab = pd.DataFrame(rows)
write_tsv(tab, smk.output[0], table_header(smk.params.fingerprint, smk.params.data), index=False,
          float_format="%.6g")
log.info("\n%s", tab.to_string())
