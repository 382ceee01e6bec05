"""Use cases of the ingest stage: what the CLI, the API and the pages call."""
