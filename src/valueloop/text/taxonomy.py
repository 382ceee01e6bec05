"""A hierarchical, bilingual issue taxonomy (YAML) and classification with evidence spans.

Why a lexicon and not a classifier: a service team must be able to read, argue about and
edit what "退款到账慢" means, and every tag must show the words it was given for. A
category matches when one of its keywords (a plain substring) or patterns (a regular
expression) occurs in the normalised text; the match's offsets are the evidence. A
child's match implies its parent, so counts roll up.

>>> tags = classify("又是退款到账慢，客服态度很差")
>>> [(t.category, t.start, t.end, t.match) for t in tags]
[('refund', 2, 4, '退款'), ('refund/refund_delay', 2, 6, '退款到账'), ('attitude', 10, 14, '态度很差')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from valueloop.errors import SpecError
from valueloop.text.normalize import normalize
from valueloop.text.resources import path


@dataclass(frozen=True)
class Category:
    """One node: ``id`` is its path (``refund/refund_delay``); ``regex`` matches its own evidence."""

    id: str
    name_zh: str
    name_en: str
    regex: re.Pattern[str]
    parent: str | None


@dataclass(frozen=True)
class Tag:
    category: str
    name: str
    start: int
    end: int
    match: str


def _regex(node: dict[str, Any], where: str) -> re.Pattern[str]:
    words = [normalize(str(w)) for lang in ("zh", "en") for w in (node.get("keywords") or {}).get(lang, [])]
    parts = [re.escape(w) for w in sorted(words, key=len, reverse=True)] + list(node.get("patterns") or [])
    if not parts:
        raise SpecError(f"{where}: a category needs keywords or patterns")
    try:
        return re.compile("|".join(parts))
    except re.error as err:
        raise SpecError(f"{where}: bad pattern: {err}") from err


def _walk(nodes: list[dict[str, Any]], parent: str | None, source: str) -> Iterator[Category]:
    for node in nodes:
        cid = f"{parent}/{node['id']}" if parent else str(node["id"])
        names = node.get("name") or {}
        yield Category(cid, names.get("zh", cid), names.get("en", cid), _regex(node, f"{source}: {cid}"), parent)
        yield from _walk(node.get("children") or [], cid, source)


@lru_cache(maxsize=4)
def load_taxonomy(file: Path | None = None) -> tuple[Category, ...]:
    """The categories of ``file`` (default: the shipped ``resources/taxonomy.yaml``), parents first."""
    source = file or path("resources", "taxonomy.yaml")
    try:
        doc = yaml.safe_load(source.read_text(encoding="utf-8"))
        return tuple(_walk(doc["categories"], None, str(source)))
    except (KeyError, TypeError, yaml.YAMLError) as err:
        raise SpecError(f"{source}: not a taxonomy ({err})") from err


def classify(text: str, taxonomy: tuple[Category, ...] | None = None, lang: str = "zh") -> list[Tag]:
    """Every category whose evidence occurs in ``text`` (first occurrence), with ancestors added."""
    cats = taxonomy or load_taxonomy()
    return with_ancestors(matches(text, cats, lang), cats, lang)


def matches(text: str, taxonomy: tuple[Category, ...], lang: str = "zh") -> dict[str, Tag]:
    """Each category whose own keywords or patterns occur in ``text``, by id; ancestors not added."""
    norm = normalize(text)
    found: dict[str, Tag] = {}
    for c in taxonomy:
        if m := c.regex.search(norm):
            found[c.id] = Tag(
                c.id, c.name_zh if lang == "zh" else c.name_en, m.start(), m.end(), text[m.start() : m.end()]
            )
    return found


def with_ancestors(found: dict[str, Tag], taxonomy: tuple[Category, ...], lang: str = "zh") -> list[Tag]:
    """``found`` plus each tag's missing ancestors (with the child's evidence), sorted by position."""
    found = dict(found)
    by_id = {c.id: c for c in taxonomy}
    for tag in list(found.values()):
        parent = by_id[tag.category].parent
        while parent and parent not in found:
            p = by_id[parent]
            found[parent] = Tag(parent, p.name_zh if lang == "zh" else p.name_en, tag.start, tag.end, tag.match)
            parent = p.parent
    return sorted(found.values(), key=lambda t: (t.start, t.category))


def ancestors(category: str) -> list[str]:
    """``a/b/c`` → ``['a', 'a/b', 'a/b/c']``."""
    parts = category.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
