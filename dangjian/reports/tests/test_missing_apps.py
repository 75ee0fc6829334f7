"""An app that is not installed is stated in the draft, never replaced by a made-up number."""

import pytest
from django.apps import apps

from dangjian.reports import sources
from dangjian.reports.drafting import fill
from dangjian.reports.services import compose

from .conftest import Q3


@pytest.fixture
def without_dues(monkeypatch):
    real = apps.is_installed
    monkeypatch.setattr(sources.apps, "is_installed", lambda name: name != "dangjian.dues" and real(name))


def test_it_says_the_dues_module_is_not_enabled(world, without_dues):
    d = compose(world.community, Q3)
    text = "\n".join(fill(p.text, d.snapshot["figures"]) for p in d.paragraphs)
    assert "【请补充：党费收缴情况（本系统未启用党费模块）】" in text
    assert not any(k.startswith("dues.") for k in d.snapshot["figures"])
    assert d.snapshot["apps"]["dues"]["installed"] is False


def test_it_says_so_when_an_apps_figures_fail(world, monkeypatch):
    def broken(org, period):
        raise RuntimeError("boom")

    monkeypatch.setattr(sources.SOURCES[2].figures_module(), "for_period", broken)
    d = compose(world.community, Q3)
    text = "\n".join(fill(p.text, d.snapshot["figures"]) for p in d.paragraphs)
    assert "【请补充：党费收缴情况（党费模块的数据暂时无法读取）】" in text
    assert "boom" in d.snapshot["apps"]["dues"]["error"]


def test_it_uses_the_real_figures_of_an_installed_app(world):
    d = compose(world.community, Q3)
    assert {"members.full", "meetings.held", "dues.due", "plans.problems_found"} <= d.snapshot["figures"].keys()
