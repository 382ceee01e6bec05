"""Use cases for people records: scorecard disputes, award case write-ups, training data checks.

Disputes and cases are JSON files under ``<workspace>/people/`` (``disputes.json``,
``cases/index.json`` with one ``<case_id>.md`` per write-up), replaced atomically; no
app-DB table. The training check reads the lake's ``training`` file by file, so each
problem names the lake file, its ingest batch (and source files) and the row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from valueloop.errors import InputError
from valueloop.evaluation.service.models import load_versions
from valueloop.people import cases as cs
from valueloop.people import disputes as dp
from valueloop.people import records as rc
from valueloop.people.results import AddedCase, Case, CaseText, Dispute, TrainingProblem
from valueloop.people.service.attribution import controllable_model
from valueloop.people.service.audits import DISPUTES_FILE, out_dir, read
from valueloop.people.staff_check import describe, unknown_staff
from valueloop.store import appdb, tables
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

DISPUTES = DISPUTES_FILE
CASES = "cases"
BATCH = re.compile(r"(\d{8}T\d{6}-[0-9a-f]{8})$")


def disputes_file(ws: Workspace) -> Path:
    return out_dir(ws) / DISPUTES


def cases_dir(ws: Workspace) -> Path:
    folder = out_dir(ws) / CASES
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _indicators(ws: Workspace, model_id: str | None) -> list[str]:
    return [i.id for i in controllable_model(load_versions(ws, model_id)[-1]).indicators]


def open_dispute(
    ws: Workspace, *, agent: str, period: str, indicator: str, reason: str, by: str, model_id: str | None = None
) -> Dispute:
    """Open a dispute on ``indicator`` of ``agent``'s scorecard for ``period``."""
    known = _indicators(ws, model_id)
    if indicator not in known:
        raise InputError(f"indicator {indicator!r} is not on the agent scorecard; known: {', '.join(known)}")
    try:
        rec = rc.update(
            disputes_file(ws),
            lambda recs: dp.open_dispute(recs, agent=agent, period=period, indicator=indicator, reason=reason, by=by),
        )
    except ValueError as err:
        raise InputError(str(err)) from None
    return Dispute.model_validate(rec)


def resolve_dispute(ws: Workspace, dispute_id: str, *, decision: str, note: str, by: str) -> Dispute:
    """Record ``decision`` (upheld or rejected) with a note on an open dispute."""
    try:
        rec = rc.update(
            disputes_file(ws), lambda recs: dp.resolve_dispute(recs, dispute_id, decision=decision, note=note, by=by)
        )
    except KeyError as err:
        raise InputError(str(err.args[0])) from None
    except ValueError as err:
        raise InputError(str(err)) from None
    return Dispute.model_validate(rec)


def list_disputes(
    ws: Workspace, *, status: str | None = None, agent: str | None = None, period: str | None = None
) -> list[Dispute]:
    if status is not None and status not in dp.STATUSES:
        raise InputError(f"status must be one of {', '.join(dp.STATUSES)}, got {status!r}")
    return [
        Dispute.model_validate(r)
        for r in rc.load(disputes_file(ws))
        if (status is None or r["status"] == status)
        and (agent is None or r["agent_id"] == agent)
        and (period is None or r["period"] == period)
    ]


def add_case(ws: Workspace, *, agent: str, period: str, title: str, text: str, by: str,
             source: str | None = None) -> AddedCase:  # fmt: skip
    """Keep the Markdown write-up ``text`` as a case of ``agent`` in ``period``; ``source`` names where it came from."""
    folder = cases_dir(ws)

    def change(recs: list[rc.Record]) -> rc.Record:
        rec = cs.add_case(recs, agent=agent, period=period, title=title, text=text, by=by)
        rc.write_atomic(folder / rec["file"], text.encode("utf-8"))
        return rec | {"source": source}

    try:
        rec = rc.update(folder / "index.json", change)
    except ValueError as err:
        raise InputError(f"{source}: {err}" if source else str(err)) from None
    return AddedCase.model_validate(rec)


def read_case_file(file: Path) -> str:
    """A case write-up file's text, or an :class:`InputError` naming the file."""
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{file}: cannot read the case write-up ({err})") from None


def _case_records(ws: Workspace) -> list[rc.Record]:
    return rc.load(cases_dir(ws) / "index.json")


def list_cases(ws: Workspace) -> list[Case]:
    return [Case.model_validate(r) for r in _case_records(ws)]


def show_case(ws: Workspace, case_id: str) -> CaseText:
    """A case record with its text."""
    recs = list_cases(ws)
    rec = next((r for r in recs if r.case_id == case_id), None)
    if rec is None:
        raise InputError(f"no case {case_id!r}; known: {', '.join(r.case_id for r in recs) or 'none'}")
    path = cases_dir(ws) / rec.file
    return CaseText(**rec.model_dump(), path=str(path), text=path.read_text(encoding="utf-8"))


def case_of(ws: Workspace, agent: str, period: str) -> str | None:
    return cs.case_of(_case_records(ws), agent, period)


def _batch_sources(ws: Workspace) -> dict[str, list[str]]:
    try:
        with appdb.engine(ws.database_url).connect() as conn:
            rows = conn.execute(
                tables.ingest_batches.select().where(tables.ingest_batches.c.dataset == "training")
            ).fetchall()
    except Exception:  # provenance is a courtesy; the check works without it
        return {}
    return {r.batch_id: list(r.files) for r in rows}


def training_rows(ws: Workspace) -> pd.DataFrame:
    """The lake's training rows, each with ``lake_file``, ``batch_id``, ``source`` and 1-based ``row``."""
    lake = Lake(ws.lake_dir)
    sources = _batch_sources(ws)
    frames = []
    for path in lake.files("training"):
        frame = pq.read_table(path).to_pandas()
        found = BATCH.search(path.stem)
        batch = found.group(1) if found else None
        frames.append(
            frame.assign(
                lake_file=str(path.relative_to(ws.lake_dir)),
                batch_id=batch,
                source=", ".join(sources.get(batch or "", [])) or None,
                row=range(1, len(frame) + 1),
            )
        )
    if not frames:
        empty: pd.DataFrame = read(ws, "training").assign(lake_file=None, batch_id=None, source=None, row=None)
        return empty
    out: pd.DataFrame = pd.concat(frames, ignore_index=True)
    return out


def check_training(ws: Workspace) -> list[TrainingProblem]:
    """Every training row whose ``staff_id`` is not in ``staff``, each with a message naming it."""
    staff = set(read(ws, "staff")["staff_id"].astype(str))
    problems = unknown_staff(training_rows(ws), staff)
    return [TrainingProblem.model_validate(p | {"message": describe(p)}) for p in problems]


def require_known_staff(ws: Workspace, training: pd.DataFrame, course: str) -> None:
    """Raise InputError naming every row of ``course`` whose person is not in ``staff`` (when staff is loaded)."""
    staff = set(read(ws, "staff")["staff_id"].astype(str))
    if not staff:
        return
    rows = training[training["course_id"] == course]
    if rows["staff_id"].astype(str).isin(staff).all():
        return
    bad = [p for p in check_training(ws) if p.course_id == course]
    lines = [p.message for p in bad[:20]] + ([f"… and {len(bad) - 20} more"] if len(bad) > 20 else [])
    raise InputError(
        f"course {course!r}: {len(bad)} training record(s) for unknown people "
        "(run `valueloop people check-training`):\n  " + "\n  ".join(lines)
    )
