"""mixseq.report."""
