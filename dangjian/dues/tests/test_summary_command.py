"""`dangjian dues summary --org NAME --period 2023Q3 [--json]`"""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dangjian.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(world, assess, pay):
    assess(world.member_a, 4000)
    assess(world.member_b, 3000)
    pay(world.member_b, 45, on=date(2023, 7, 5), months=[date(2023, 7, 1), date(2023, 8, 1), date(2023, 9, 1)])
    return world


def run(*args) -> str:
    out = StringIO()
    call_command("dues_summary", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_figures_as_json(booked):
    data = json.loads(run("--org", "和平社区", "--period", "2023Q3", "--asof", "2023-09-30", "--json"))
    assert (data["due"]["value"], data["paid"]["value"], data["arrears"]["value"]) == ("165.00", "45.00", "120.00")
    assert data["on_time_rate"]["value"] == "50.0" and data["arrears_list"][0]["name"] == "张三"


def test_it_prints_a_readable_summary(booked):
    text = run("--org", "HP", "--period", "2023Q3", "--asof", "2023-09-30")
    assert "和平社区党总支 2023年第三季度" in text and "欠交 120.00 元" in text and "张三" in text


def test_it_explains_an_unknown_org_in_chinese(booked):
    with pytest.raises(CommandError, match="找不到组织"):
        run("--org", "不存在", "--period", "2023Q3")


def test_it_explains_a_bad_period_in_chinese(booked):
    with pytest.raises(CommandError, match="没有第5个季度"):
        run("--org", "HP", "--period", "2023Q5")


def test_it_is_reached_as_dangjian_dues_summary(booked, capsys):
    main(["dangjian", "dues", "summary", "--org", "HP", "--period", "2023Q3", "--asof", "2023-09-30", "--json"])
    assert json.loads(capsys.readouterr().out)["period"] == "2023Q3"
