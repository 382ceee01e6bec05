"""Evaluation: score a period on the workspace's models (indicator values, scores, composite, ranking)."""
