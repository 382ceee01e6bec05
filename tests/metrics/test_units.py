"""Values as a reader wants them: one rule for shares, used by the API's ``shown`` and the pages."""

from __future__ import annotations

from valueloop.evaluation.service.models import template_path
from valueloop.spec.model_loader import load_model
from valueloop.spec.units import percent_factor, show


def test_a_share_is_a_percentage_once_whether_stored_as_a_fraction_or_scaled_by_100() -> None:
    model = load_model(template_path("three-dimension"))
    by_id = {i.id: i for i in model.indicators}
    complaint = by_id["complaint_rate"]  # a ratio the model scales by 100, unit %
    assert percent_factor(complaint) == 1.0
    assert show(22.6, complaint.unit, percent_factor(complaint)) == "22.6 %"
    rates = [i for i in model.indicators if type(i.measure).__name__ == "Rate"]
    assert rates and all(percent_factor(i) == 100.0 for i in rates)
    assert show(0.1726, rates[0].unit, percent_factor(rates[0])) == "17.3 %"


def test_a_duration_reads_the_same_in_the_api_and_the_pages() -> None:
    """The model labels first response in 分钟 (its measure is in minutes): one rule, two whole units, both places."""
    from valueloop.http.web.i18n import Translator
    from valueloop.http.web.labels import Labels
    from valueloop.spec.units import seconds_per

    model = load_model(template_path("three-dimension"))
    first = model.indicator("first_response")
    assert (first.unit, seconds_per(first)) == ("分钟", 60.0)
    assert show(2.083, first.unit, percent_factor(first), seconds_per(first)) == "2 min 5 s"
    en = Labels(None, Translator("en"))
    en.indicators = {i.id: i for i in model.indicators}
    assert en.value("first_response", 2.083) == "2 min 5 s"
