"""Rubrics: YAML → frozen spec. A rubric has sections of weighted items, each item one check.

Check kinds (``kind:``), one model each, so a typo in a key is an error with its line:

* ``phrase`` — any of ``phrases`` (a phrase may be a list of synonyms) said by ``speaker``
  in ``position`` (``anywhere``, ``first: N`` or ``last: N`` turns of that speaker);
  ``present: false`` makes it a forbidden phrase; ``before: <item>`` also requires the
  match to come before the first evidence turn of another item (verify, then discuss the account).
* ``regex`` — the same with a regular expression.
* ``flow`` — ``steps``, each a list of phrases, said in this order by ``speaker``.
* ``timing`` — ``metric`` (first_response, longest_silence, agent_talk_share, overtalk)
  within ``max`` and/or ``min``.
* ``sentiment`` — the customer's mean sentiment over the last ``turns`` turns minus the
  first ``turns`` turns is at least ``min_shift``.
* ``classifier`` — a model trained on labelled turns (``valueloop qa train-item``) gives some
  turn of ``speaker`` in ``position`` a probability of at least ``threshold`` (``present:
  false``: no turn does); ``model`` names the trained model, by default the item's id.

``applies_if: {field: value}`` (a list of values allowed) restricts an item to matching
conversations; ``bonus`` items add points and are never required; a failed ``auto_fail``
item fails the whole conversation with score 0.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from valueloop.spec.model import Text, _text

Who = Literal["agent", "customer", "bot", "any"]
TimingMetric = Literal["first_response", "longest_silence", "agent_talk_share", "overtalk"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Phrases = tuple[str | tuple[str, ...], ...]


class Position(Frozen):
    """Where to look among the speaker's turns: everywhere, the first N or the last N."""

    first: int | None = Field(default=None, ge=1)
    last: int | None = Field(default=None, ge=1)


def _position(value: object) -> object:
    return {} if value in (None, "anywhere") else value


class _Located(Frozen):
    speaker: Who = "agent"
    position: Position = Position()
    present: bool = True
    before: str | None = None

    _pos = field_validator("position", mode="before")(_position)


class PhraseCheck(_Located):
    kind: Literal["phrase"]
    phrases: Phrases = Field(min_length=1)


class RegexCheck(_Located):
    kind: Literal["regex"]
    pattern: str = Field(min_length=1)


class FlowCheck(Frozen):
    kind: Literal["flow"]
    speaker: Who = "agent"
    steps: tuple[Phrases, ...] = Field(min_length=2)


class TimingCheck(Frozen):
    kind: Literal["timing"]
    metric: TimingMetric
    max: float | None = None
    min: float | None = None


class SentimentCheck(Frozen):
    kind: Literal["sentiment"]
    turns: int = Field(default=2, ge=1)
    min_shift: float = Field(default=0.0, ge=-2, le=2)


class ClassifierCheck(Frozen):
    kind: Literal["classifier"]
    model: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    """The trained model's name (``qa/models/<rubric>/<model>.npz``); the item's id when not given."""
    speaker: Who = "agent"
    position: Position = Position()
    present: bool = True
    threshold: float = Field(default=0.5, gt=0, lt=1)

    _pos = field_validator("position", mode="before")(_position)


Check = Annotated[
    PhraseCheck | RegexCheck | FlowCheck | TimingCheck | SentimentCheck | ClassifierCheck,
    Field(discriminator="kind"),
]
Condition = dict[str, str | tuple[str, ...]]


class Item(Frozen):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: Text
    weight: float = Field(ge=0)
    """0 makes a marker: found or not, it scores nothing (an item others are ``before``)."""
    check: Check
    applies_if: Condition = Field(default_factory=dict)
    bonus: bool = False
    auto_fail: bool = False
    coaching: Text | None = None

    _name = field_validator("name", "coaching", mode="before")(_text)

    @model_validator(mode="before")
    @classmethod
    def _model_name(cls, data: object) -> object:
        """A classifier check without ``model`` uses the model trained for this item (named by its id)."""
        check = data.get("check") if isinstance(data, dict) else None
        if isinstance(check, dict) and check.get("kind") == "classifier" and "model" not in check:
            assert isinstance(data, dict)
            return {**data, "check": {**check, "model": data.get("id")}}
        return data


class Section(Frozen):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: Text
    weight: float = Field(gt=0)
    items: tuple[Item, ...] = Field(min_length=1)

    _name = field_validator("name", mode="before")(_text)


class Rubric(Frozen):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: Text
    language: Literal["zh", "en", "mixed"] = "zh"
    pass_score: float = Field(default=80.0, ge=0, le=100)
    synonyms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Extra spellings of a phrase, wherever it is used: ``{核实身份: [验证身份, 确认身份]}``."""
    sections: tuple[Section, ...] = Field(min_length=1)

    _name = field_validator("name", mode="before")(_text)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items)

    def section_of(self, item_id: str) -> Section:
        return next(s for s in self.sections if any(i.id == item_id for i in s.items))
