"""Use cases of the accounts stage: what the CLI, the API and the pages call."""
