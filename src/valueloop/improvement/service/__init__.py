"""Use cases of the improvement stage: what the CLI, the API and the pages call."""
