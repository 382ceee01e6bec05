"""A hierarchical, bilingual issue taxonomy (YAML) and classification with evidence spans.

Why a lexicon and not a classifier: a service team must be able to read, argue about and
edit what "退款到账慢" means, and every tag must show the words it was given for. A
category matches when one of its keywords or patterns (a regular expression) occurs in
the normalised text; the match's offsets are the evidence. A child's match implies its
parent, so counts roll up.

How keywords match is :mod:`valueloop.voice.matching`: English on words and their
lemmas (refund finds refunded, "fee" is not in coffee), Chinese on jieba's word boundaries
for short keywords (卫生 is not in 卫生间), and a complaint cue (``negative``) inside a
negation's scope ("not rude", 不脏) is no evidence. A ``weak`` keyword (房间, "room") counts
only in a clause that judges something and names no other category, and a match inside a
longer match of another category (room in "room service") gives way to it.

>>> tags = classify("又是退款到账慢，客服态度很差")
>>> [(t.category, t.start, t.end, t.match) for t in tags]
[('refund', 2, 4, '退款'), ('refund/refund_delay', 2, 6, '退款到账'), ('attitude', 8, 14, '客服态度很差')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from valueloop.errors import SpecError
from valueloop.spec.yamlsource import PathKey, Problem, format_path, load_yaml
from valueloop.voice.matching import Matcher, compile_matcher, settle
from valueloop.voice.normalize import normalize
from valueloop.voice.resources import path


@dataclass(frozen=True)
class Category:
    """One node: ``id`` is its path (``refund/refund_delay``); ``matcher`` finds its own evidence."""

    id: str
    name_zh: str
    name_en: str
    matcher: Matcher
    parent: str | None


@dataclass(frozen=True)
class Tag:
    category: str
    name: str
    start: int
    end: int
    match: str


WORD_FIELDS = ("keywords", "negative", "weak")
"""Fields of words a category matches: topic words, complaint cues (matched alike, listed apart), and
weak words that count only in a clause judging them and naming no other category (matching.settle)."""
FIELDS = ("id", "name", *WORD_FIELDS, "patterns", "examples", "children")


def _words(node: dict[str, Any], field: str) -> list[str]:
    return [normalize(str(w)) for lang in ("zh", "en") for w in (node.get(field) or {}).get(lang, [])]


def _matcher(node: dict[str, Any], where: str) -> Matcher:
    keywords, cues, weak = _words(node, "keywords"), _words(node, "negative"), _words(node, "weak")
    patterns = [str(p) for p in node.get("patterns") or []]
    if not keywords and not cues and not weak and not patterns:
        raise SpecError(f"{where}: a category needs keywords or patterns")
    try:
        return compile_matcher(keywords, cues, patterns, weak)
    except re.error as err:
        raise SpecError(f"{where}: bad pattern: {err}") from err


ShippedName = Literal["ecommerce", "hotel", "banking", "repair", "healthcare"]
SHIPPED: dict[str, str] = {
    "ecommerce": "taxonomy.yaml",
    "hotel": "taxonomy-hotel.yaml",
    "banking": "taxonomy-banking.yaml",
    "repair": "taxonomy-repair.yaml",
    "healthcare": "taxonomy-healthcare.yaml",
}
"""Starter taxonomies shipped in ``resources/``, by the name ``--taxonomy`` accepts, one per industry."""
ALIASES = {"hospitality": "hotel", "after-sales": "repair", "aftersales": "repair", "call-centre": "banking"}
ALIASES |= {"call-center": "banking", "bank": "banking", "e-commerce": "ecommerce", "retail": "ecommerce"}
ALIASES |= {"health": "healthcare", "hospital": "healthcare"}
_ID = re.compile(r"[a-z0-9_]+")


def shipped_name(name: str) -> str | None:
    """The shipped taxonomy a name or alias (``hospitality`` → ``hotel``) stands for; None when none."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in SHIPPED else None


def shipped(name: str) -> Path:
    """The file of a shipped starter taxonomy by name or alias (``ecommerce``, ``hotel``, ``banking`` …)."""
    return path("resources", SHIPPED[shipped_name(name) or name])


def _check_words(node: dict[str, Any], at: PathKey) -> list[Problem]:
    problems = [p for f in WORD_FIELDS for p in _check_lists(node, at, f)]
    if not isinstance(node.get("examples") or [], list):
        problems.append(Problem((*at, "examples"), "must be a list of example texts"))
    keywords = {
        lang: words for f in WORD_FIELDS if isinstance(node.get(f), dict) for lang, words in node[f].items() if words
    }
    patterns = node.get("patterns") or []
    if not isinstance(patterns, list):
        return [*problems, Problem((*at, "patterns"), "must be a list of regular expressions")]
    for i, p in enumerate(patterns):
        try:
            re.compile(str(p))
        except re.error as err:
            problems.append(Problem((*at, "patterns", i), f"bad regular expression: {err}"))
    if not any(keywords.get(lang) for lang in ("zh", "en")) and not patterns:
        problems.append(Problem(at, "a category needs keywords or patterns"))
    return problems


def _check_lists(node: dict[str, Any], at: PathKey, name: str) -> list[Problem]:
    words = node.get(name) or {}
    if not isinstance(words, dict):
        return [Problem((*at, name), "must map zh / en to lists of words")]
    problems = []
    for lang, listed in words.items():
        if lang not in ("zh", "en"):
            problems.append(Problem((*at, name, lang), "unknown language (zh or en)"))
        elif not isinstance(listed, list) or not all(isinstance(w, str | int) and str(w).strip() for w in listed):
            problems.append(Problem((*at, name, lang), "must be a list of non-empty words"))
    return problems


def _check(nodes: object, at: PathKey, seen: set[str], parent: str | None) -> list[Problem]:
    """Every structural problem of a ``categories`` list (recursively), each with its YAML path."""
    if not isinstance(nodes, list):
        return [Problem(at, "must be a list of categories")]
    problems: list[Problem] = []
    for i, node in enumerate(nodes):
        where: PathKey = (*at, i)
        if not isinstance(node, dict):
            problems.append(Problem(where, "a category must be a mapping with id, name, keywords"))
            continue
        unknown = set(node) - set(FIELDS)
        problems += [Problem((*where, k), f"unknown field ({', '.join(FIELDS)})") for k in unknown]
        cid = str(node.get("id", ""))
        if not _ID.fullmatch(cid):
            problems.append(Problem((*where, "id"), "needs an id of lower-case letters, digits and _"))
            continue
        full = f"{parent}/{cid}" if parent else cid
        if full in seen:
            problems.append(Problem((*where, "id"), f"duplicate category {full!r}"))
        seen.add(full)
        if not isinstance(node.get("name") or {}, dict):
            problems.append(Problem((*where, "name"), "must map zh / en to names"))
        problems += _check_words(node, where)
        if "children" in node:
            problems += _check(node["children"] or [], (*where, "children"), seen, full)
    return problems


def _walk(nodes: list[dict[str, Any]], parent: str | None, source: str) -> Iterator[Category]:
    for node in nodes:
        cid = f"{parent}/{node['id']}" if parent else str(node["id"])
        names = node.get("name") or {}
        yield Category(cid, names.get("zh", cid), names.get("en", cid), _matcher(node, f"{source}: {cid}"), parent)
        yield from _walk(node.get("children") or [], cid, source)


def load_taxonomy(file: Path | None = None) -> tuple[Category, ...]:
    """The categories of ``file`` (default: the shipped ``resources/taxonomy.yaml``), parents first.

    A problem in the file is a :class:`SpecError` naming file:line of every problem. The
    parse is cached per file version (path, modification time, size), so an edited
    taxonomy is read again by a long-running server.
    """
    source = file or shipped("ecommerce")
    try:
        stat = source.stat()
    except OSError as err:
        raise SpecError(f"{source}: cannot read the taxonomy: {err.strerror or err}") from err
    return _load(source, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(source: Path, _mtime: int, _size: int) -> tuple[Category, ...]:
    doc = load_yaml(source)
    if not isinstance(doc.data, dict) or "categories" not in doc.data:
        doc.fail([Problem((), "not a taxonomy: needs a top-level 'categories' list")])
    doc.fail(_check(doc.data["categories"], ("categories",), set(), None))
    return tuple(_walk(doc.data["categories"], None, str(source)))


def example_misses(file: Path) -> list[str]:
    """``file:line: path: …`` for every example text that does not get its own category.

    Examples are the taxonomy's own tests: a keyword edited away, or a child shadowed by a
    rewrite, shows up here before it shows up in a month of untagged feedback.
    """
    cats = load_taxonomy(file)
    doc = load_yaml(file)
    out = []
    for at, cid, example in _examples(doc.data["categories"], ("categories",), None):
        got = {t.category for t in classify(str(example), cats)}
        if cid not in got:
            where = f"{file}:{doc.line(at)}: {format_path(at)}"
            out.append(f"{where}: example {example!r} is not tagged {cid} (tags: {', '.join(sorted(got)) or 'none'})")
    return out


def _examples(nodes: list[dict[str, Any]], at: PathKey, parent: str | None) -> Iterator[tuple[PathKey, str, object]]:
    for i, node in enumerate(nodes):
        cid = f"{parent}/{node['id']}" if parent else str(node["id"])
        for j, example in enumerate(node.get("examples") or []):
            yield (*at, i, "examples", j), cid, example
        yield from _examples(node.get("children") or [], (*at, i, "children"), cid)


def classify(text: str, taxonomy: tuple[Category, ...] | None = None, lang: str = "zh") -> list[Tag]:
    """Every category whose evidence occurs in ``text`` (first occurrence), with ancestors added."""
    cats = taxonomy or load_taxonomy()
    return with_ancestors(matches(text, cats, lang), cats, lang)


def matches(text: str, taxonomy: tuple[Category, ...], lang: str = "zh") -> dict[str, Tag]:
    """Each category whose own keywords or patterns occur in ``text``, by id; ancestors not added.

    Every category's matches are weighed together (:func:`valueloop.voice.matching.settle`):
    weak keywords and matches inside another category's longer match depend on the others.
    """
    evidence, names = {}, {}
    for c in taxonomy:
        if found := c.matcher.evidence(text):
            evidence[c.id], names[c.id] = found, c.name_zh if lang == "zh" else c.name_en
    return {
        cid: Tag(cid, names[cid], start, end, text[start:end])
        for cid, (start, end) in settle(text, evidence, related).items()
    }


def related(a: str, b: str) -> bool:
    """True when one category is the other or its ancestor (``a`` and ``a/b``): they share evidence."""
    return a == b or b.startswith(f"{a}/") or a.startswith(f"{b}/")


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
