"""Importing a payment list: match by name + ID tail, preview before booking, never book twice."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.dues.importing import (
    CHOOSE,
    DUPLICATE,
    MATCHED,
    REJECTED,
    SKIPPED,
    UNMATCHED,
    parse_months,
    parse_tail,
    payment_import_apply,
    payment_import_plan,
)
from dangjian.dues.models import DuesEntry
from dangjian.members.models import Member
from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2023, 12, 15)


def wechat_csv(rows: list[str]) -> bytes:
    head = ["微信支付账单明细", "微信昵称：[第一党支部收款]", "起始时间：[2023-07-01 00:00:00] 终止时间：[2023-09-30 23:59:59]",
            "", "----------------------微信支付账单明细列表--------------------",
            "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注,身份证后四位"]
    return "\n".join(head + rows).encode("utf-8")


@pytest.fixture
def setup(world, assess):
    for m in (world.member_a, world.member_b):
        assess(m, 4000)  # 40.00 a month
    return world


def plan_for(world, data: bytes, org=None, name="wechat.csv"):
    return payment_import_plan(data, org=org or world.community, members=Member.objects.all(), filename=name,
                               today=TODAY)


def test_it_previews_matches_choices_and_problems_without_booking(setup):
    w = setup
    tail_a = w.member_a.id_number[-4:]
    data = wechat_csv([
        f"2023-07-05 10:23:11,转账,张三,党费,收入,¥120.00,零钱,已存入零钱,4200001,/,/,{tail_a}",
        "2023-07-06 09:00:00,转账,李四,党费,收入,¥40.00,零钱,已存入零钱,4200002,/,/,",
        "2023-07-06 09:10:00,转账,赵六,党费,收入,¥40.00,零钱,已存入零钱,4200003,/,/,",
        "2023-07-07 12:00:00,商户消费,文具店,打印,支出,¥8.00,零钱,支付成功,4200004,/,/,",
        f"2023-07-08 10:23:11,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,4200001,/,/,{tail_a}",
        "2023-07-09 10:00:00,转账,张三,党费,收入,¥四十,零钱,已存入零钱,4200005,/,/,",
    ])
    plan = plan_for(w, data)
    assert [(r.number, r.status) for r in plan.rows] == [(7, MATCHED), (8, CHOOSE), (9, UNMATCHED), (10, SKIPPED),
                                                         (11, DUPLICATE)]
    assert [(e.row, e.column) for e in plan.errors] == [(12, "金额(元)")]
    assert plan.rows[0].member == w.member_a and "2023年1月 40.00元" in plan.rows[0].allocation
    assert DuesEntry.objects.count() == 0


def test_it_books_the_matched_rows_and_the_rows_the_clerk_chose(setup):
    w = setup
    data = wechat_csv([
        f"2023-07-05 10:23:11,转账,张三,党费,收入,¥120.00,零钱,已存入零钱,4200001,/,/,{w.member_a.id_number[-4:]}",
        "2023-07-06 09:00:00,转账,李四,党费,收入,¥40.00,零钱,已存入零钱,4200002,/,/,",
    ])
    outcome = payment_import_apply(plan_for(w, data), choices={8: w.member_b.pk}, user=w.worker, today=TODAY)
    assert [r.number for r in outcome.booked] == [7, 8]
    entry = DuesEntry.objects.get(member=w.member_a)
    assert (entry.amount, entry.paid_on, entry.method, entry.external_ref, entry.source) == (
        D("120.00"), date(2023, 7, 5), "微信", "4200001", "import")
    assert entry.import_batch.booked == 2


def test_it_leaves_a_row_needing_a_choice_alone_when_no_choice_was_made(setup):
    data = wechat_csv(["2023-07-06 09:00:00,转账,李四,党费,收入,¥40.00,零钱,已存入零钱,4200002,/,/,"])
    outcome = payment_import_apply(plan_for(setup, data), choices={}, today=TODAY)
    assert outcome.booked == [] and DuesEntry.objects.count() == 0


def test_it_books_an_unmatched_row_the_clerk_gave_to_a_member_keeping_the_payer(setup):
    w = setup
    data = wechat_csv(["2023-07-06 09:00:00,转账,张小明,党费,收入,¥40.00,零钱,已存入零钱,4200009,/,替父亲交党费,"])
    plan = plan_for(w, data)
    assert plan.rows[0].status == UNMATCHED and {m.pk for m in plan.assignable} >= {w.member_a.pk, w.member_b.pk}
    outcome = payment_import_apply(plan, choices={}, assigned={7: w.member_a.pk}, user=w.worker, today=TODAY)
    assert [(r.number, r.member) for r in outcome.booked] == [(7, w.member_a)]
    entry = DuesEntry.objects.get()
    assert (entry.member, entry.amount, entry.external_ref) == (w.member_a, D("40.00"), "4200009")
    assert entry.note.startswith("付款人：张小明（手工指定）") and "替父亲交党费" in entry.note


def test_it_offers_only_current_members_of_the_org_and_ignores_any_other_id(setup):
    w = setup
    left = MemberFactory(name="王五", org=w.branch_a)
    Member.objects.filter(pk=left.pk).update(archived_on=date(2023, 1, 31))
    data = wechat_csv(["2023-07-06 09:00:00,转账,张小明,党费,收入,¥40.00,零钱,已存入零钱,4200009,/,/,"])
    plan = plan_for(w, data, org=w.branch_a)
    assert [m.pk for m in plan.assignable] == [w.member_a.pk]  # not 李四 of branch B, not the archived 王五
    for other in (w.member_b.pk, left.pk, 10**9):
        assert payment_import_apply(plan, choices={}, assigned={7: other}, today=TODAY).booked == []
    assert DuesEntry.objects.count() == 0


def test_it_offers_no_one_when_every_row_matched(setup):
    data = wechat_csv([f"2023-07-05 10:23:11,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,1,/,/,{setup.member_a.id_number[-4:]}"])
    assert plan_for(setup, data).assignable == []


def test_it_never_books_the_same_transaction_twice(setup):
    w = setup
    data = wechat_csv([f"2023-07-05 10:23:11,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,4200001,/,/,{w.member_a.id_number[-4:]}"])
    payment_import_apply(plan_for(w, data), choices={}, today=TODAY)
    again = plan_for(w, data)
    assert again.rows[0].status == DUPLICATE and "已入账" in again.rows[0].reason
    assert payment_import_apply(again, choices={}, today=TODAY).booked == []


def test_it_tells_apart_two_members_of_the_same_name_by_their_id_tail(setup):
    w = setup
    twin = MemberFactory(name="张三", org=w.branch_b)
    twin.dues_bases.create(effective_month=date(2023, 1, 1), category="在职", base=D("4000"))
    data = wechat_csv([f"2023-07-05 10:00:00,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,1,/,/,{twin.id_number[-6:]}",
                       "2023-07-05 11:00:00,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,2,/,/,"])
    first, second = plan_for(w, data).rows
    assert (first.status, first.member) == (MATCHED, twin)
    assert second.status == CHOOSE and {m.pk for m in second.candidates} == {w.member_a.pk, twin.pk}


def test_it_finds_the_tail_in_the_transfer_note(setup):
    tail = setup.member_a.id_number[-4:]
    data = wechat_csv([f"2023-07-05 10:00:00,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,1,/,党费 身份证后四位{tail},"])
    row = plan_for(setup, data).rows[0]
    assert (row.status, row.tail, row.member) == (MATCHED, tail, setup.member_a)


def test_it_reports_a_tail_that_does_not_fit_the_name(setup):
    data = wechat_csv(["2023-07-05 10:00:00,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,1,/,/,0000"])
    row = plan_for(setup, data).rows[0]
    assert row.status == UNMATCHED and "尾号不是0000" in row.reason


def test_it_matches_only_members_inside_the_chosen_org(setup):
    data = wechat_csv(["2023-07-05 10:00:00,转账,李四,党费,收入,¥40.00,零钱,已存入零钱,1,/,/,"])
    row = plan_for(setup, data, org=setup.branch_a).rows[0]
    assert row.status == UNMATCHED and "第一党支部" in row.reason


def test_it_pays_the_months_named_in_the_file(setup):
    w = setup
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["第一党支部2023年第三季度党费收缴名单"])
    ws.append(["序号", "姓名", "身份证后四位", "缴费金额", "缴费日期", "所属月份", "缴费方式", "收据号"])
    ws.append([1, "张 三", w.member_a.id_number[-4:], 120, date(2023, 9, 20), "2023-07至2023-09", "现金", "No.88"])
    buf = io.BytesIO()
    wb.save(buf)
    plan = plan_for(w, buf.getvalue(), name="名单.xlsx")
    row = plan.rows[0]
    assert row.status == MATCHED and row.months == [date(2023, 7, 1), date(2023, 8, 1), date(2023, 9, 1)]
    payment_import_apply(plan, choices={}, today=TODAY)
    entry = DuesEntry.objects.get(member=w.member_a)
    assert (entry.method, entry.receipt_no) == ("现金", "No.88")
    assert [a.month.month for a in entry.allocations.all()] == [7, 8, 9]


def test_it_rejects_in_the_preview_a_payment_larger_than_what_is_owed(setup):
    data = wechat_csv([f"2023-07-05 10:00:00,转账,张三,党费,收入,¥9999.00,零钱,已存入零钱,1,/,/,{setup.member_a.id_number[-4:]}"])
    row = plan_for(setup, data).rows[0]
    assert row.status == REJECTED and "多出" in row.reason


def test_it_takes_two_rows_of_one_member_in_file_order(setup):
    tail = setup.member_a.id_number[-4:]
    data = wechat_csv([f"2023-07-05 10:00:00,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,1,/,/,{tail}",
                       f"2023-07-06 10:00:00,转账,张三,党费,收入,¥40.00,零钱,已存入零钱,2,/,/,{tail}"])
    first, second = plan_for(setup, data).rows
    assert "2023年1月" in first.allocation and "2023年2月" in second.allocation


@given(st.from_regex(r"[0-9]{3,5}[0-9X]", fullmatch=True))
def test_it_reads_any_four_to_six_character_tail(tail):
    assert parse_tail(tail) == tail


@given(st.integers(2000, 2099), st.integers(1, 12), st.integers(0, 11))
def test_it_reads_month_ranges(year, first, span):
    last = min(first + span, 12)
    months = parse_months(f"{year}年{first}月至{year}年{last}月")
    assert months[0] == date(year, first, 1) and months[-1] == date(year, last, 1) and len(months) == last - first + 1


@pytest.mark.parametrize("bad", ["12", "1234567", "12a4"])
def test_it_explains_a_malformed_tail(bad):
    with pytest.raises(ValueError, match="身份证尾号"):
        parse_tail(bad)
