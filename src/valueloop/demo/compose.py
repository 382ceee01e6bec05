"""Vectorised composition of feedback texts from the phrase tables.

Every possible sentence is rendered once into a flat Arrow string pool at import time
(a few hundred strings); a row's text is then three ``take``s and one element-wise
join, so hundreds of thousands of texts cost milliseconds and no Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from valueloop.demo import phrases as ph
from valueloop.demo.clock import FloatArr, IntArr


@dataclass(frozen=True)
class _Pool:
    """Flat strings plus the offset and size of each (a, b) block within them."""

    texts: pa.Array
    base: IntArr
    size: IntArr


def _frames(table: dict[tuple[str, int], tuple[str, ...]]) -> _Pool:
    texts: list[str] = []
    base = np.zeros((len(ph.LANGS), len(ph.MOODS)), dtype=np.int64)
    size = np.zeros_like(base)
    for (lang, mood), options in table.items():
        li = ph.LANGS.index(lang)
        base[li, mood], size[li, mood] = len(texts), len(options)
        texts.extend(options)
    return _Pool(pa.array(texts, pa.string()), base, size)


def _bodies() -> _Pool:
    """Block (lang, theme) holds template-major × value-minor rendered sentences."""
    texts: list[str] = []
    base = np.zeros((len(ph.LANGS), len(ph.THEMES)), dtype=np.int64)
    size = np.zeros_like(base)
    for li, lang in enumerate(ph.LANGS):
        for ti, theme in enumerate(ph.THEMES):
            templates: tuple[str, ...] = getattr(theme, lang)
            base[li, ti], size[li, ti] = len(texts), len(templates)
            texts.extend(ph.render(t, v, lang) for t in templates for v in theme.values)
    return _Pool(pa.array(texts, pa.string()), base, size)


OPENERS = _frames(ph.OPENERS)
CLOSERS = _frames(ph.CLOSERS)
BODIES = _bodies()
N_VALUES = np.array([len(t.values) for t in ph.THEMES], dtype=np.int64)
_VALUES = [np.array(t.values, dtype=np.float64) for t in ph.THEMES]
_SEPARATOR = pa.array(["", " "], pa.string())  # zh, en


def _value_index(rng: np.random.Generator, theme: IntArr, amount: FloatArr) -> IntArr:
    """The number a sentence says: the smallest listed value ≥ ``amount``, else a random one."""
    out = (rng.random(len(theme)) * N_VALUES[theme]).astype(np.int64)
    known = ~np.isnan(amount)
    for ti, values in enumerate(_VALUES):
        rows = np.flatnonzero(known & (theme == ti))
        if len(rows) and len(values) > 1:
            out[rows] = np.minimum(np.searchsorted(values, amount[rows]), len(values) - 1)
    return out


def _frame(pool: _Pool, rng: np.random.Generator, lang: IntArr, mood: IntArr) -> pa.Array:
    pick = pool.base[lang, mood] + (rng.random(len(lang)) * pool.size[lang, mood]).astype(np.int64)
    return pc.take(pool.texts, pa.array(pick, pa.int64()))


def compose(rng: np.random.Generator, lang: IntArr, mood: IntArr, theme: IntArr, amount: FloatArr) -> pa.Array:
    """Texts for rows with language, mood (``phrases.MOODS``), theme and the number to echo.

    ``amount`` is minutes for duration themes and NaN where no real number applies.
    """
    template = (rng.random(len(lang)) * BODIES.size[lang, theme]).astype(np.int64)
    index = BODIES.base[lang, theme] + template * N_VALUES[theme] + _value_index(rng, theme, amount)
    body = pc.take(BODIES.texts, pa.array(index, pa.int64()))
    opener, closer = _frame(OPENERS, rng, lang, mood), _frame(CLOSERS, rng, lang, mood)
    separator = pc.take(_SEPARATOR, pa.array(lang, pa.int64()))
    return pc.utf8_trim_whitespace(pc.binary_join_element_wise(opener, body, closer, separator))
