"""The report reads each app's figures through a plain import; an app's error is a bug that raises."""

import pytest

from dangjian.dues import figures as dues_figures
from dangjian.reports.services import compose

from .conftest import Q3


def test_it_lets_an_apps_error_raise_instead_of_writing_it_into_the_report(world, monkeypatch):
    def broken(org, period):
        raise RuntimeError("boom")

    monkeypatch.setattr(dues_figures, "for_period", broken)
    with pytest.raises(RuntimeError, match="boom"):
        compose(world.community, Q3)


def test_it_uses_the_real_figures_of_every_app(world):
    d = compose(world.community, Q3)
    assert {"members.full", "meetings.held", "dues.due", "plans.problems_found", "grid.survey_total"} <= d.snapshot["figures"].keys()
