"""Load and validate evaluation model files, reporting every problem with file, line and path.

Structure is checked by pydantic; meaning is checked here: datasets and columns exist
and have the right kind, weights sum to 1, derived indicators refer to known indicators
without cycles, thresholds run the right way. Nothing is returned unless all is well.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from valueloop.spec.conditions import Condition
from valueloop.spec.datasets import ENTITY_TYPES, FieldKind
from valueloop.spec.lookup import dataset_spec, known_datasets, unit_source, using
from valueloop.spec.model import (
    Aggregate,
    Bands,
    CountDistinct,
    Derived,
    Dimension,
    Direction,
    Duration,
    EvaluationModel,
    Indicator,
    Linear,
    MixBenchmark,
    Quantile,
    Rate,
    Ratio,
    SegmentBenchmark,
)
from valueloop.spec.registry import Datasets
from valueloop.spec.yamlsource import PathKey, Problem, load_yaml

WEIGHT_TOLERANCE = 1e-3
NUMERIC: tuple[FieldKind, ...] = ("int", "float", "bool", "duration_s")
"""Kinds a sum, mean or median may read; any other non-text, non-timestamp kind (durations) also qualifies."""


def load_model(file: Path, datasets: Datasets | None = None) -> EvaluationModel:
    """Parse ``file``; raise :class:`SpecError` listing every problem, or return the model.

    ``datasets`` is the workspace's registry (its own datasets and fields); without it, the
    registry in use (:func:`valueloop.spec.lookup.using`, canonical by default).
    """
    doc = load_yaml(file)
    try:
        model = EvaluationModel.model_validate(doc.data)
    except ValidationError as err:
        doc.fail([Problem(tuple(e["loc"]), e["msg"]) for e in err.errors()])
        raise AssertionError("unreachable") from err
    doc.fail(list(check_model(model, datasets)))
    return model


def validate_models(files: list[Path], datasets: Datasets | None = None) -> list[str]:
    """Every problem in every file (empty when all are valid)."""
    problems = []
    for f in files:
        try:
            load_model(f, datasets)
        except ValueError as err:
            problems.append(str(err))
    return problems


def check_model(model: EvaluationModel, datasets: Datasets | None = None) -> Iterator[Problem]:
    if datasets is not None:
        with using(datasets):
            yield from check_model(model)
        return
    if model.unit_field is None and model.level not in ENTITY_TYPES:
        yield Problem(
            ("level",),
            f"unknown entity level {model.level!r}; known: {', '.join(ENTITY_TYPES)}, or {{field: NAME}} for a field",
        )
    customers = dataset_spec("customers")
    for i, seg in enumerate(model.segments):
        if customers is None or seg not in customers.by_name:
            yield Problem(("segments", i), f"unknown customer segment field {seg!r}")
    yield from _weights(("dimensions",), [d.weight for d in model.dimensions], "dimension")
    seen: set[str] = set()
    for di, dim in enumerate(model.dimensions):
        if dim.weighting.method in ("manual", "combined"):
            yield from _weights(("dimensions", di), [i.weight for i in dim.indicators], "indicator")
        yield from _weighting(("dimensions", di, "weighting"), dim)
        for ii, ind in enumerate(dim.indicators):
            path: PathKey = ("dimensions", di, "indicators", ii)
            if ind.id in seen:
                yield Problem((*path, "id"), f"duplicate indicator id {ind.id!r}")
            seen.add(ind.id)
            yield from _indicator(path, ind)
            if model.unit_field is not None:
                yield from _field_level(path, ind, model.unit_field)
    yield from _derived_graph(model)


def _field_level(path: PathKey, ind: Indicator, field: str) -> Iterator[Problem]:
    """Every dataset the indicator reads must carry the level field, itself or through its interaction."""
    for ds in _datasets_of(ind):
        if dataset_spec(ds) is not None and unit_source(ds, field) is None:
            yield Problem((*path, "dataset"), f"level field {field!r} is not a column of {ds} nor of its interaction")


def _datasets_of(ind: Indicator) -> list[str]:
    """The datasets an indicator's measure reads, sorted (none for a derived one)."""
    m = ind.measure
    if isinstance(m, Derived):
        return []
    if isinstance(m, Ratio):
        return sorted({m.numerator.dataset or ind.dataset, m.denominator.dataset or ind.dataset})
    return [m.dataset or ind.dataset]


def _weights(path: PathKey, weights: list[float], what: str) -> Iterator[Problem]:
    total = sum(weights)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        yield Problem(path, f"{what} weights sum to {total:g}, not 1")


def _weighting(path: PathKey, dim: Dimension) -> Iterator[Problem]:
    w = dim.weighting
    weighted = [i for i in dim.indicators if i.weight > 0]
    if w.method == "ahp" and w.matrix is None:
        yield Problem(path, "ahp weighting needs a pairwise matrix")
    if w.matrix is None:
        return
    try:
        matrix = [[judgement(x) for x in row] for row in w.matrix]
        if len(matrix) != len(weighted) or any(len(r) != len(weighted) for r in matrix):
            raise ValueError(f"the matrix must be {len(weighted)} × {len(weighted)}, one row per weighted indicator")
        if any(x <= 0 for row in matrix for x in row):
            raise ValueError("pairwise judgements must be positive")
    except (ValueError, ZeroDivisionError) as err:
        yield Problem((*path, "matrix"), str(err))


def judgement(x: float | str) -> float:
    """A pairwise judgement: a number or a fraction such as ``"1/3"``."""
    if isinstance(x, str) and "/" in x:
        num, den = x.split("/", 1)
        return float(num) / float(den)
    return float(x)


def _indicator(path: PathKey, ind: Indicator) -> Iterator[Problem]:
    if dataset_spec(ind.dataset) is None:
        yield Problem((*path, "dataset"), f"unknown dataset {ind.dataset!r}; known: {', '.join(known_datasets())}")
        return
    for ci, cond in enumerate(ind.filter):
        yield from _condition((*path, "filter", ci), ind.dataset, cond)
    measure = ind.measure
    if isinstance(measure, Ratio):
        for part in ("numerator", "denominator"):
            yield from _measure((*path, "measure", part), ind.dataset, getattr(measure, part))
    elif not isinstance(measure, Derived):
        yield from _measure((*path, "measure"), ind.dataset, measure)
    customers = dataset_spec("customers")
    bench = ind.benchmark
    if isinstance(bench, SegmentBenchmark) and (customers is None or bench.field not in customers.by_name):
        yield Problem((*path, "benchmark", "field"), f"unknown customer segment field {bench.field!r}")
    if isinstance(bench, MixBenchmark):
        yield from _mix((*path, "benchmark", "segment_by"), ind, bench)
    yield from _scoring((*path, "scoring"), ind)


def _mix(path: PathKey, ind: Indicator, bench: MixBenchmark) -> Iterator[Problem]:
    if isinstance(ind.measure, Derived):
        yield Problem(path, "a derived indicator cannot be mix-adjusted; adjust the indicators it is built from")
    for ds in _datasets_of(ind):
        yield from _column(path, ds, bench.segment_by, None)


def _measure(path: PathKey, dataset: str, measure: object) -> Iterator[Problem]:
    ds_name = getattr(measure, "dataset", None) or dataset
    if dataset_spec(ds_name) is None:
        yield Problem((*path, "dataset"), f"unknown dataset {ds_name!r}")
        return
    for ci, cond in enumerate(getattr(measure, "filter", ())):
        yield from _condition((*path, "filter", ci), ds_name, cond)
    if isinstance(measure, Aggregate | Quantile):
        yield from _column((*path, "field"), ds_name, measure.field, NUMERIC)
    elif isinstance(measure, CountDistinct):
        yield from _column((*path, "field"), ds_name, measure.field, None)
    elif isinstance(measure, Duration):
        yield from _column((*path, "start"), ds_name, measure.start, ("timestamp",))
        yield from _column((*path, "end"), ds_name, measure.end, ("timestamp",))
        if measure.agg == "quantile" and measure.p is None:
            yield Problem((*path, "p"), "a quantile duration needs p")
    elif isinstance(measure, Rate):
        for ci, cond in enumerate(measure.condition):
            yield from _condition((*path, "condition", ci), ds_name, cond)


def _condition(path: PathKey, dataset: str, cond: Condition) -> Iterator[Problem]:
    if cond.unit:
        for c in (cond.start, cond.end):
            yield from _column(path, dataset, c or "", ("timestamp",))
    else:
        yield from _column(path, dataset, cond.field or "", None)


def _column(path: PathKey, dataset: str, column: str, kinds: tuple[FieldKind, ...] | None) -> Iterator[Problem]:
    spec = dataset_spec(dataset)
    field = spec.by_name.get(column) if spec else None
    if field is None:
        yield Problem(path, f"dataset {dataset} has no column {column!r}")
    elif kinds == NUMERIC and field.kind not in ("string", "timestamp"):
        return
    elif kinds is not None and field.kind not in kinds:
        yield Problem(path, f"column {dataset}.{column} is {field.kind}, expected {' or '.join(kinds)}")


def _scoring(path: PathKey, ind: Indicator) -> Iterator[Problem]:
    rule = ind.scoring
    if isinstance(rule, Linear) and rule.worst == rule.best:
        yield Problem(path, "linear scoring needs worst != best")
    if isinstance(rule, Bands):
        t = list(rule.thresholds)
        ordered = sorted(t, reverse=ind.direction is Direction.HIGHER)
        if t != ordered:
            way = "descending" if ind.direction is Direction.HIGHER else "ascending"
            yield Problem((*path, "thresholds"), f"thresholds must be {way} (best first) for direction {ind.direction}")
        if rule.scores is not None and len(rule.scores) != len(t) + 1:
            yield Problem((*path, "scores"), f"{len(t)} thresholds need {len(t) + 1} scores")
    if rule.rule == "target" and rule.target is None and ind.benchmark is None:
        yield Problem(path, "target scoring needs a target or a benchmark")


def derived_refs(expression: str) -> set[str]:
    """Indicator ids an expression uses; raises ValueError when it is not plain arithmetic."""
    tree = ast.parse(expression, mode="eval")
    allowed = (
        ast.Expression,
        ast.BinOp,
        ast.UnaryOp,
        ast.Name,
        ast.Load,
        ast.Constant,
        ast.Add,
        ast.Sub,
        ast.Mult,
        ast.Div,
        ast.USub,
        ast.UAdd,
    )
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise ValueError(f"only + - * / and numbers are allowed, found {type(node).__name__}")
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _derived_graph(model: EvaluationModel) -> Iterator[Problem]:
    ids = {i.id for i in model.indicators}
    graph: dict[str, set[str]] = {}
    for di, dim in enumerate(model.dimensions):
        for ii, ind in enumerate(dim.indicators):
            if not isinstance(ind.measure, Derived):
                continue
            path: PathKey = ("dimensions", di, "indicators", ii, "measure", "expression")
            try:
                refs = derived_refs(ind.measure.expression)
            except (SyntaxError, ValueError) as err:
                yield Problem(path, f"bad expression: {err}")
                continue
            for missing in sorted(refs - ids):
                yield Problem(path, f"unknown indicator {missing!r} in expression")
            graph[ind.id] = refs & ids
    cycle = _find_cycle(graph)
    if cycle:
        yield Problem(("dimensions",), "derived indicators form a cycle: " + " → ".join(cycle))


def _find_cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str]:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*trail, nxt])):
                return found
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return []
