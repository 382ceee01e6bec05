"""Use cases of the voice stage: what the CLI, the API and the pages call."""
