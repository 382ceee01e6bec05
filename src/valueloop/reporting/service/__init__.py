"""Use cases of the reporting stage: what the CLI, the API and the pages call."""
