"""Process definitions for value stream maps: steps in order, who does them, whether they add value.

A process file is YAML; structure is checked by pydantic and meaning (unique step names,
at least one value-adding step) here, and every problem is reported with file:line.
The step names must match ``interaction_steps.step`` so actual timings can be mined.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from valueloop.spec.yamlsource import Problem, load_yaml


class ProcessStep(BaseModel):
    """One step: its name as recorded in the data, the department that normally does it,
    whether the customer would pay for it (value-adding) and the standard time in minutes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    department: str = ""
    value_adding: bool
    standard_minutes: float | None = Field(default=None, ge=0)
    planned_wait_minutes: float = Field(default=0, ge=0)
    """Waiting that is by design (a follow-up call the next day), not counted against the step."""
    description: str = ""


class ProcessDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = ""
    description: str = ""
    steps: tuple[ProcessStep, ...] = Field(min_length=1)

    @property
    def step_names(self) -> list[str]:
        return [s.name for s in self.steps]


def load_process(file: Path) -> ProcessDefinition:
    """Parse ``file``; raise :class:`SpecError` listing every problem, or return the process."""
    doc = load_yaml(file)
    try:
        process = ProcessDefinition.model_validate(doc.data)
    except ValidationError as err:
        doc.fail([Problem(tuple(e["loc"]), e["msg"]) for e in err.errors()])
        raise AssertionError("unreachable") from err
    doc.fail(list(check_process(process)))
    return process


def check_process(process: ProcessDefinition) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, step in enumerate(process.steps):
        if step.name in seen:
            yield Problem(("steps", i, "name"), f"duplicate step {step.name!r}")
        seen.add(step.name)
    if not any(s.value_adding for s in process.steps):
        yield Problem(("steps",), "no step is value-adding, so process cycle efficiency would be 0 by definition")
