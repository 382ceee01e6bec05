"""Use cases of the evaluation stage: what the CLI, the API and the pages call."""
