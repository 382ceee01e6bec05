"""Use cases of the verification stage: what the CLI, the API and the pages call."""
