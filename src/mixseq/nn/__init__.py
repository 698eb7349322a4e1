"""mixseq.nn."""
