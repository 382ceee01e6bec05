"""QA use cases: read transcripts from the lake, score them, store and roll up the results, review them."""
