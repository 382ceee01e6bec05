"""Use cases of the people stage: what the CLI, the API and the pages call."""
