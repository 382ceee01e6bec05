"""The survey catalogue keeps a parsed survey while its file is unchanged, and reads an edited file afresh."""

from __future__ import annotations

import pytest

from surveys.conftest import SURVEY, write_survey
from valueloop.errors import SpecError
from valueloop.store.workspace import Workspace
from valueloop.surveys.service.catalog import get_survey


def test_an_unchanged_survey_is_parsed_once_and_an_edited_one_again(ws: Workspace) -> None:
    write_survey(ws)
    first = get_survey(ws, "after_service")
    assert get_survey(ws, "after_service") is first  # every page view and answer reuses it
    write_survey(ws, SURVEY.replace("服务回访", "服务调查"))  # same size, maybe the same mtime: the bytes differ
    assert get_survey(ws, "after_service").title.zh == "服务调查"


def test_a_broken_survey_is_refused_every_time_until_fixed(ws: Workspace) -> None:
    write_survey(ws)
    get_survey(ws, "after_service")
    write_survey(ws, SURVEY.replace("type: csat", "type: stars"))
    for _ in range(2):
        with pytest.raises(SpecError, match=r"after_service\.yaml"):
            get_survey(ws, "after_service")
    write_survey(ws)
    assert get_survey(ws, "after_service").title.zh == "服务回访"
