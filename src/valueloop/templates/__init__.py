"""Evaluation model templates for `valueloop init --template NAME` (YAML files shipped as package data)."""
