"""mixseq.evaluate."""
