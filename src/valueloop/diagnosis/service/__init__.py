"""Use cases of the diagnosis stage: what the CLI, the API and the pages call."""
