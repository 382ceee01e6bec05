"""The datasets one workspace knows: the canonical ones, its own, and the own fields its mappings add.

A product for many industries cannot know every record shape in advance, so a workspace may
declare datasets of its own in ``datasets/*.yaml`` and a mapping may keep source columns beyond
a dataset's fields (``extra: {outcome: string, q_time: duration_s}``). Every caller that needs
"the datasets of this workspace" (ingest, quarantine, ``mappings suggest``, ``models validate``,
the warehouse) asks :func:`for_workspace`; nothing else reads these files. An own dataset file::

    name: calls
    doc: {en: One row per call, zh: 每通电话一行}
    key: call_id              # a field, a list of fields (composite), or none (a content hash)
    time_field: vru_entry
    units: [type, server]
    fields:
      call_id: string         # string | integer | number | boolean | timestamp | duration_s
      priority: {type: integer, min: 0, max: 2}
      q_time: {type: duration_s, doc: seconds in the queue}

Guarantees: a dataset name or field is defined once; an own field named twice with different
types (two mappings, or a mapping against a dataset) is refused with every file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from valueloop.errors import InputError, SpecError
from valueloop.spec.datasets import CONTENT_KEY, DATASETS, KIND_NAMES, TYPE_NAMES, Dataset, FieldKind
from valueloop.spec.datasets import Field as DatasetField
from valueloop.spec.yamlsource import Problem, YamlDoc, load_yaml

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
Datasets = Mapping[str, Dataset]
"""The datasets a workspace knows, by name (:func:`for_workspace`); the canonical ones are :data:`DATASETS`."""
Extras = dict[str, dict[str, FieldKind]]
"""Dataset → own field → kind, as recorded for fields a mapping added (see the lake manifest)."""


def kind_of(name: str) -> FieldKind:
    """A type name as a user writes it (or a field kind itself: ``int``) → its field kind.

    Raises ValueError naming the choices."""
    if name in KIND_NAMES:
        return KIND_NAMES[name]
    for kind in KIND_NAMES.values():
        if name == kind:
            return kind
    raise ValueError(f"unknown type {name!r}; use one of {', '.join(KIND_NAMES)}")


def valid_name(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(f"{name!r} is not a valid name (lower-case letters, digits and _, starting with a letter)")
    return name


class FieldSpec(BaseModel):
    """One field of an own dataset."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] = ()
    doc: str = ""

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        kind_of(value)
        return value


class DatasetSpec(BaseModel):
    """A whole ``datasets/<name>.yaml`` file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    doc: dict[str, str] = Field(default_factory=dict)
    fields: dict[str, FieldSpec]
    key: tuple[str, ...] = ()
    time_field: str | None = None
    units: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """``field: type`` for ``field: {type: type}``; ``key: x`` or ``key: none`` for a list; ``doc: text``."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        if isinstance(out.get("fields"), dict):
            out["fields"] = {k: {"type": v} if isinstance(v, str) else v for k, v in out["fields"].items()}
        key = out.get("key")
        if key is None or key == "none":
            out["key"] = ()
        elif isinstance(key, str):
            out["key"] = (key,)
        if isinstance(out.get("doc"), str):
            out["doc"] = {"en": out["doc"]}
        return out

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        valid_name(value)
        if value in DATASETS:
            raise ValueError(f"{value!r} is a canonical dataset; give yours another name")
        return value

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        for name in value:
            valid_name(name)
        if CONTENT_KEY in value:
            raise ValueError(f"{CONTENT_KEY!r} is the content-hash key valueloop adds to a dataset without a key")
        return value

    def problems(self) -> Iterable[Problem]:
        """References to fields the file does not declare, and fields of the wrong type for their role."""
        for i, k in enumerate(self.key):
            if k not in self.fields:
                yield Problem(("key", i), f"key field {k!r} is not one of the fields")
        if self.time_field is not None:
            spec = self.fields.get(self.time_field)
            if spec is None or kind_of(spec.type) != "timestamp":
                yield Problem(("time_field",), f"time_field {self.time_field!r} must be a timestamp field")
        for i, u in enumerate(self.units):
            if u not in self.fields:
                yield Problem(("units", i), f"unit field {u!r} is not one of the fields")

    def dataset(self) -> Dataset:
        fields = [
            DatasetField(
                name,
                kind_of(f.type),
                required=f.required or name in self.key,
                minimum=f.min,
                maximum=f.max,
                allowed=tuple(a.lower() for a in f.allowed),  # text is compared in lower case
                doc=f.doc,
            )
            for name, f in self.fields.items()
        ]
        key = self.key
        if not key:
            fields.insert(0, DatasetField(CONTENT_KEY, "string", required=True, doc="a hash of the row's content"))
            key = (CONTENT_KEY,)
        return Dataset(
            self.name,
            tuple(fields),
            key=key,
            doc=self.doc.get("en", "") or self.doc.get("zh", ""),
            doc_zh=self.doc.get("zh", ""),
            time_field=self.time_field,
            units=self.units,
            own=True,
        )


def load_dataset_file(path: Path) -> Dataset:
    """Parse and check one own dataset file; every problem at once, with file:line."""
    doc = load_yaml(path)
    try:
        spec = DatasetSpec.model_validate(doc.data or {})
    except ValidationError as err:
        doc.fail([Problem(tuple(e["loc"]), e["msg"]) for e in err.errors()])
        raise AssertionError("unreachable") from err
    doc.fail(list(spec.problems()))
    return spec.dataset()


def dataset_files(root: Path) -> list[Path]:
    folder = root / "datasets"
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def mapping_extras(root: Path) -> list[tuple[YamlDoc, str, dict[str, FieldKind]]]:
    """(file, dataset, own fields) of every mapping in ``mappings/`` that declares ``extra:``.

    Read here with the YAML loader only (the full mapping model lives in
    :mod:`valueloop.spec.mapping`, which checks the rest when the mapping is used).
    """
    out = []
    for path in sorted([*(root / "mappings").glob("*.yaml"), *(root / "mappings").glob("*.yml")]):
        try:
            doc = load_yaml(path)
        except SpecError:  # a broken mapping is reported when it is used, not by every command here
            continue
        data = doc.data if isinstance(doc.data, dict) else {}
        extra, dataset = data.get("extra"), data.get("dataset")
        if isinstance(extra, dict) and extra and isinstance(dataset, str):
            out.append((doc, dataset, parse_extra(doc, extra)))
    return out


def parse_extra(doc: YamlDoc, extra: Mapping[object, object]) -> dict[str, FieldKind]:
    """``{outcome: string, q_time: duration_s}`` → kinds; every bad name or type reported with its line."""
    problems, kinds = [], {}
    for name, type_name in extra.items():
        try:
            kinds[valid_name(str(name))] = kind_of(str(type_name))
        except ValueError as err:
            problems.append(Problem(("extra", str(name)), str(err)))
    doc.fail(problems)
    return kinds


def for_workspace(root: Path, recorded: Extras | None = None) -> dict[str, Dataset]:
    """Canonical datasets + ``datasets/*.yaml`` + own fields of the mappings in ``mappings/`` + ``recorded``.

    ``recorded``: own fields already stored in the lake (a mapping from elsewhere may have added
    them; the lake manifest remembers). Raises :class:`SpecError` naming files and lines.
    """
    found: dict[str, Dataset] = dict(DATASETS)
    origin: dict[str, Path] = {}
    for path in dataset_files(root):
        ds = load_dataset_file(path)
        if ds.name in origin:
            raise SpecError(f"{path}:1: name: dataset {ds.name!r} is already declared in {origin[ds.name]}")
        found[ds.name], origin[ds.name] = ds, path
    for dataset, kinds in (recorded or {}).items():
        if dataset in found:
            found[dataset] = add_extra(found[dataset], kinds, "the lake (fields stored by an earlier ingest)")
    for doc, dataset, kinds in mapping_extras(root):
        if dataset not in found:
            raise SpecError(f"{doc.file}:{doc.line(('dataset',))}: dataset: unknown dataset {dataset!r}")
        found[dataset] = add_extra(found[dataset], kinds, f"{doc.file}:{doc.line(('extra',))}")
    return found


def add_extra(ds: Dataset, kinds: Mapping[str, FieldKind], where: str) -> Dataset:
    """``ds`` widened by own fields; a field it has with another kind is refused, naming ``where``."""
    clashes = [
        f"{name} is {TYPE_NAMES[kind]} there but {TYPE_NAMES[ds.by_name[name].kind]} in {ds.name}"
        for name, kind in kinds.items()
        if name in ds.by_name and ds.by_name[name].kind != kind
    ]
    if clashes:
        raise SpecError(f"{where}: extra: " + "; ".join(clashes))
    return ds.widened(dict(kinds))


def lookup(datasets: Mapping[str, Dataset], name: str) -> Dataset:
    """The dataset called ``name``; :class:`InputError` naming the known ones."""
    if name not in datasets:
        raise InputError(f"unknown dataset {name!r}; known: {', '.join(datasets)}")
    return datasets[name]
