"""The HTTP adapter: a FastAPI app serving the JSON API under ``/api/v1`` and the dashboard under ``/``."""
