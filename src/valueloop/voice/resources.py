"""Files shipped inside the package (dictionaries, stopwords, taxonomy, the default model).

Read through :mod:`importlib.resources` so they are found in a wheel as in a checkout,
and cached: each is parsed once per process.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

PACKAGE = "valueloop.voice"


def path(*parts: str) -> Path:
    """A shipped file's path (the package is installed unzipped, so a real path exists)."""
    return Path(str(resources.files(PACKAGE).joinpath(*parts)))


@lru_cache(maxsize=8)
def word_list(name: str) -> frozenset[str]:
    """One word a line; ``#`` starts a comment line."""
    lines = path("resources", name).read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))
