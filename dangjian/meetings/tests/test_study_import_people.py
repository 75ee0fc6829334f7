"""Self-study rows name people the way rosters do: an old 15-digit ID finds its member."""

from datetime import date

import pytest

from dangjian.meetings.importing import study_import_plan

from .test_study_import import xlsx

pytestmark = pytest.mark.django_db


def test_a_15_digit_id_finds_the_member_and_the_preview_says_it_was_upgraded(world):
    member = world.member_a
    old = member.id_number[:6] + member.id_number[8:17]
    plan = study_import_plan(xlsx([[member.name, old, date(2023, 7, 15), "学习强国", "党章", 1.5, 45]]),
                             org=world.branch_a, filename="自学.xlsx", today=date(2024, 1, 1))
    assert ([r["member"] for r in plan.create], plan.rejected) == ([member], [])
    assert plan.notes == [(3, "身份证号：15位身份证号已升级为18位")]


def test_an_invalid_15_digit_id_is_refused_with_its_reason(world):
    plan = study_import_plan(xlsx([["张三", "370102661305001", date(2023, 7, 15), "学习强国", "党章", 1.5, 45]]),
                             org=world.branch_a, filename="自学.xlsx", today=date(2024, 1, 1))
    assert [(e.row, e.column, e.reason) for e in plan.rejected] == [(3, "身份证号", "出生日期无效：19661305")]
