"""Use cases of the monitoring stage: what the CLI, the API and the pages call."""
