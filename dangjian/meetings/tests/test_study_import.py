"""Self-study (自学) import from a spreadsheet: per-row Chinese errors, no doubles, preview first."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from dangjian.meetings.importing import study_import_apply, study_import_plan
from dangjian.meetings.models import SelfStudy
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "学习日期", "学习平台", "学习内容", "学习时长", "积分"]


def xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    wb.active.append(["第一党支部党员自学登记表"])
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def plan(world, rows, today=date(2024, 1, 1)):
    return study_import_plan(xlsx(rows), org=world.branch_a, filename="自学.xlsx", today=today)


def test_it_imports_rows_under_a_title_row(world):
    p = plan(world, [["张三", "", date(2023, 7, 15), "学习强国", "党章", 1.5, 45]])
    study_import_apply(p)
    entry = SelfStudy.objects.get()
    assert (entry.member, entry.hours, entry.points, entry.org) == (world.member_a, Decimal("1.5"), 45, world.group_a1)


def test_it_names_the_row_and_column_of_each_error(world):
    p = plan(world, [["李四", "", "2023-07-15", "学习强国", "", 1, 10], ["张三", "", "2023-13-45", "", "", 1, 10],
                     ["张三", "", "2023-07-01", "刷视频", "", "-2", ""]])
    assert [(e.row, e.column, e.reason) for e in p.rejected] == [
        (3, "姓名", "在“第一党支部”的名册中找不到党员“李四”"),
        (4, "学习日期", "日期无法识别：“2023-13-45”"),
        (5, "学习平台", "学习方式“刷视频”无法识别，可填：学习强国、书籍原著、网络课程、报刊、其他"),
        (5, "学习时长", "学习时长应在0到999.9小时之间，不是“-2”"),
    ]


def test_it_asks_for_an_id_number_when_two_members_share_a_name(world):
    twin = MemberFactory(org=world.branch_a, name="张三", birth_date=date(1970, 3, 1))
    p = plan(world, [["张三", "", "2023-07-15", "", "", 1, ""], ["张三", twin.id_number, "2023-07-16", "", "", 2, ""]])
    assert [(e.row, e.reason) for e in p.rejected] == [(3, "“张三”有2人同名，请填写身份证号")]
    assert [r["member"] for r in p.create] == [twin]


def test_it_refuses_an_empty_record_and_a_future_date(world):
    p = plan(world, [["张三", "", "2023-07-15", "", "", "", ""], ["张三", "", "2024-02-01", "", "读书", "", ""]])
    assert [(e.row, e.column) for e in p.rejected] == [(3, "学习时长"), (4, "学习日期")]


def test_it_skips_rows_already_imported(world):
    rows = [["张三", "", "2023-07-15", "学习强国", "党章", 1.5, 45]]
    study_import_apply(plan(world, rows))
    again = plan(world, rows + rows)
    assert (again.accepted, again.duplicates) == (0, [3, 4])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(hours=st.decimals(min_value=0, max_value=999, places=1), points=st.integers(min_value=0, max_value=10**6))
def test_it_keeps_any_valid_hours_and_points_exactly(world, hours, points):
    p = plan(world, [["张三", "", "2023-07-15", "学习强国", "", str(hours), points]])
    assert not p.rejected and (p.create[0]["hours"], p.create[0]["points"]) == (hours, points)


def test_it_previews_before_writing_and_books_on_confirm(world, client_for):
    client = client_for(world.worker_a)
    upload = SimpleUploadedFile("自学.xlsx", xlsx([["张三", "", "2023-07-15", "学习强国", "", 1, 30]]))
    preview = client.post(reverse("study_import"), {"file": upload, "org": world.branch_a.pk})
    assert preview.status_code == 200 and not SelfStudy.objects.exists()
    client.post(reverse("study_import"), {"token": preview.context["token"], "org": world.branch_a.pk})
    assert SelfStudy.objects.get().imported


def test_it_refuses_to_import_into_another_branch(world, client_for):
    upload = SimpleUploadedFile("自学.xlsx", xlsx([["李四", "", "2023-07-15", "", "", 1, ""]]))
    response = client_for(world.worker_a).post(reverse("study_import"), {"file": upload, "org": world.branch_b.pk})
    assert "org" in response.context["form"].errors
