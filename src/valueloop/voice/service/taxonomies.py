"""Use cases for the taxonomies a workspace owns: list the starters, show one, validate a file, adopt one.

The workspace's ``taxonomy.yaml`` (see :func:`valueloop.voice.service.text.taxonomy_path`)
is what every text command, the API and the pages use; these functions put a starter
there, and say what a file holds and what is wrong with it, every problem at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from valueloop.errors import InputError, SpecError
from valueloop.results import Result
from valueloop.spec.yamlsource import load_yaml
from valueloop.store.workspace import Workspace
from valueloop.voice.service.text import taxonomy_path, workspace_taxonomy_path
from valueloop.voice.taxonomy import ALIASES, SHIPPED, WORD_FIELDS, example_misses, load_taxonomy, shipped, shipped_name


class TaxonomyRow(Result):
    """A taxonomy one can use: a shipped starter, or the workspace's own (``name`` "workspace")."""

    name: str
    aliases: str
    categories: int
    in_use: bool
    file: str


class CategoryRow(Result):
    """One category of a taxonomy: its words joined as ``zh words | en words``, counts of patterns and examples."""

    id: str
    parent: str
    name_zh: str
    name_en: str
    keywords: str
    negative: str
    weak: str
    patterns: int
    examples: int


class ProposedTopic(Result):
    """A topic proposed from texts: size, share, sentiment, its best terms and first quote."""

    id: str
    texts: int
    share: float
    sentiment: float
    negative_share: float
    terms: str
    quote: str


class Discovery(Result):
    """What ``text discover`` found: texts read, topics proposed, the draft taxonomy and where it was written."""

    texts: int
    topics: list[ProposedTopic]
    draft: str
    path: str | None


def list_taxonomies(ws: Workspace | None) -> list[TaxonomyRow]:
    """The shipped starters (name, aliases, categories, file) and the workspace's own, marking the one in force."""
    in_force = taxonomy_path(ws)
    rows = [
        TaxonomyRow(
            name=name,
            aliases=", ".join(sorted(a for a, n in ALIASES.items() if n == name)),
            categories=len(load_taxonomy(shipped(name))),
            in_use=in_force is None and name == "ecommerce",
            file=str(shipped(name)),
        )
        for name in SHIPPED
    ]
    if in_force is not None:
        cats = len(load_taxonomy(in_force))
        rows.append(TaxonomyRow(name="workspace", aliases="", categories=cats, in_use=True, file=str(in_force)))
    return rows


def show_taxonomy(ws: Workspace | None, taxonomy: Path | str | None = None) -> list[CategoryRow]:
    """One row per category of the taxonomy in force (or ``taxonomy``): id, parent, names, words, examples."""
    file = taxonomy_path(ws, taxonomy) or shipped("ecommerce")
    cats = load_taxonomy(file)
    nodes = dict(_nodes(load_yaml(file).data["categories"], None))
    return [
        CategoryRow(
            id=c.id,
            parent=c.parent or "",
            name_zh=c.name_zh,
            name_en=c.name_en,
            **{f: _words(nodes[c.id].get(f)) for f in WORD_FIELDS},
            patterns=len(nodes[c.id].get("patterns") or []),
            examples=len(nodes[c.id].get("examples") or []),
        )
        for c in cats
    ]


def _nodes(nodes: list[dict[str, Any]], parent: str | None) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for node in nodes:
        cid = f"{parent}/{node['id']}" if parent else str(node["id"])
        out.append((cid, node))
        out += _nodes(node.get("children") or [], cid)
    return out


def _words(by_lang: object) -> str:
    if not isinstance(by_lang, dict):
        return ""
    return " | ".join(", ".join(map(str, by_lang.get(lang) or [])) for lang in ("zh", "en") if by_lang.get(lang))


def validate_taxonomy(ws: Workspace | None, taxonomy: Path | str | None = None) -> tuple[Path, list[str]]:
    """The file checked, and every problem in it as ``file:line: path: message`` (none: it is valid).

    Structure first (ids, fields, words, regular expressions); when that is sound, each
    category's ``examples`` must be tagged with that category.
    """
    file = taxonomy_path(ws, taxonomy) or shipped("ecommerce")
    try:
        load_taxonomy(file)
    except SpecError as err:
        lines = str(err).splitlines()
        return file, lines[1:] if len(lines) > 1 and lines[0].endswith(":") else lines
    return file, example_misses(file)


class AdoptedTaxonomy(Result):
    """The starter copied into a workspace, and the ``taxonomy.yaml`` it now is."""

    taxonomy: str
    path: str


def use_taxonomy(ws: Workspace, name: str, *, force: bool = False) -> AdoptedTaxonomy:
    """Copy a shipped starter into the workspace's ``taxonomy.yaml`` (a user's file is kept unless ``force``)."""
    key = shipped_name(name)
    if key is None:
        names = ", ".join([*SHIPPED, *ALIASES])
        raise InputError(f"unknown starter taxonomy {name!r}; available: {names}")
    target = workspace_taxonomy_path(ws)
    if target.exists() and not force:
        raise InputError(f"{target} exists: edit it, or replace it with --force")
    shutil.copyfile(shipped(key), target)
    return AdoptedTaxonomy(taxonomy=key, path=str(target))


def discover_file(
    file: Path | None, text_column: str, ws: Workspace | None, k: int | None = None, out: Path | None = None
) -> Discovery:
    """Topics proposed from a file's texts (without a file: the workspace's feedback); the draft written to ``out``."""
    from valueloop.voice.discover import discover, draft_taxonomy, topic_rows
    from valueloop.voice.service.text import column, feedback_texts, read_table

    if file is not None:
        texts = [str(t) for t in column(read_table(file), text_column, file) if str(t).strip()]
    elif ws is not None:
        texts = feedback_texts(ws)["text"].astype(str).tolist()
    else:
        raise InputError("give a FILE of texts, or a workspace (--workspace) to read its feedback")
    topics = discover(texts, k)
    draft = draft_taxonomy(topics)
    if out is not None:
        out.write_text(draft, encoding="utf-8")
    rows = [ProposedTopic(**r) for r in topic_rows(topics)]
    return Discovery(texts=len(texts), topics=rows, draft=draft, path=str(out) if out else None)
