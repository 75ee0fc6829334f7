"""The dues pages: record, reverse, 核定, relief, calculator, lists and their filters."""

import io
import secrets
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.dues.book import add_months, month_of
from dangjian.dues.models import DuesBase, DuesEntry, DuesProfile, DuesRelief
from dangjian.dues.services import base_set, payment_record

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def owing(world, today):
    """张三 assessed at 4000 (40.00 a month) from four months ago, nothing paid."""
    base_set(member=world.member_a, effective_month=add_months(month_of(today), -4), category="在职", base=D("4000"))
    return world


def test_it_records_a_payment_and_says_which_months_it_paid(owing, client_for, today):
    response = client_for(owing.worker_a).post(reverse("dues_pay", args=[owing.member_a.pk]), {
        "form_token": secrets.token_hex(8), "paid_on": today.isoformat(), "amount": "80", "extra": "0", "mode": "auto", "method": "微信",
        "receipt_no": "R1", "collected_by": "王会计"}, follow=True)
    entry = DuesEntry.objects.get(member=owing.member_a)
    assert (entry.amount, entry.receipt_no, entry.recorded_by) == (D("80.00"), "R1", owing.worker_a)
    assert "已登记张三交纳党费80.00元" in response.content.decode()


def test_it_records_chosen_months(owing, client_for, today):
    first = add_months(month_of(today), -1)
    client_for(owing.worker_a).post(reverse("dues_pay", args=[owing.member_a.pk]), {
        "form_token": secrets.token_hex(8), "paid_on": today.isoformat(), "amount": "80", "extra": "0", "mode": "months", "method": "现金",
        "from_month": f"{first:%Y-%m}", "to_month": f"{month_of(today):%Y-%m}"})
    months = sorted(a.month for a in DuesEntry.objects.get(member=owing.member_a).allocations.all())
    assert months == [first, month_of(today)]


def test_it_shows_the_refusal_when_a_month_is_already_paid(owing, client_for, today):
    client = client_for(owing.worker_a)
    data = {"form_token": secrets.token_hex(8), "paid_on": today.isoformat(), "amount": "40", "extra": "0", "mode": "months", "method": "现金",
            "from_month": f"{month_of(today):%Y-%m}"}
    client.post(reverse("dues_pay", args=[owing.member_a.pk]), data)
    response = client.post(reverse("dues_pay", args=[owing.member_a.pk]), data | {"form_token": "another"}, follow=True)
    assert "已交清，不能重复交纳" in response.content.decode() and DuesEntry.objects.count() == 1


def test_it_returns_to_the_list_the_clerk_came_from(owing, client_for, today):
    back = reverse("dues_arrears") + "?period=2023"
    response = client_for(owing.worker_a).post(reverse("dues_pay", args=[owing.member_a.pk]), {
        "form_token": secrets.token_hex(8), "paid_on": today.isoformat(), "amount": "40", "extra": "0", "mode": "auto", "method": "现金", "next": back})
    assert response.url == back


def test_it_refuses_to_return_to_another_site(owing, client_for, today):
    response = client_for(owing.worker_a).post(reverse("dues_pay", args=[owing.member_a.pk]), {
        "form_token": secrets.token_hex(8), "paid_on": today.isoformat(), "amount": "40", "extra": "0", "mode": "auto", "method": "现金",
        "next": "https://evil.example/"})
    assert response.url == reverse("dues_member", args=[owing.member_a.pk])


def test_it_reverses_an_entry_from_the_statement(owing, client_for, today):
    entry = payment_record(member=owing.member_a, amount=D("40"), paid_on=today, method="现金").entry
    client_for(owing.worker_a).post(reverse("dues_reverse", args=[entry.pk]), {"reason": "收据号登记错"})
    reversal = DuesEntry.objects.get(reverses=entry)
    assert (reversal.amount, reversal.reason, reversal.recorded_by) == (D("-40.00"), "收据号登记错", owing.worker_a)


def test_it_refuses_a_reversal_without_a_reason_from_the_page(owing, client_for, today):
    entry = payment_record(member=owing.member_a, amount=D("40"), paid_on=today, method="现金").entry
    client_for(owing.worker_a).post(reverse("dues_reverse", args=[entry.pk]), {"reason": ""})
    assert not DuesEntry.objects.filter(reverses=entry).exists()


def test_it_saves_a_base_from_the_statement(owing, client_for, today):
    client_for(owing.worker_a).post(reverse("dues_base", args=[owing.member_a.pk]), {
        "effective_month": f"{month_of(today):%Y-%m}", "category": "离退休", "base": "5000.01", "document": "养老金通知"})
    base = DuesBase.objects.get(member=owing.member_a, effective_month=month_of(today))
    assert (base.category, base.base, base.history.first().history_user) == ("离退休", D("5000.01"), owing.worker_a)


def test_it_records_an_exemption_with_its_approval(owing, client_for, today):
    client_for(owing.worker_a).post(reverse("dues_relief", args=[owing.member_a.pk]), {
        "kind": "exempt", "from_month": f"{month_of(today):%Y-%m}", "reason": "重病", "branch_decided_on": "2023-06-01",
        "approved_by": "新华街道党工委", "approval_document": "新华街党工〔2023〕9号", "approved_on": "2023-06-10"})
    relief = DuesRelief.objects.get(member=owing.member_a)
    assert (relief.approved_by, relief.approval_document, relief.recorded_by) == (
        "新华街道党工委", "新华街党工〔2023〕9号", owing.worker_a)


def test_it_refuses_an_exemption_approved_before_the_branch_decided(owing, client_for, today):
    client_for(owing.worker_a).post(reverse("dues_relief", args=[owing.member_a.pk]), {
        "kind": "exempt", "from_month": f"{month_of(today):%Y-%m}", "reason": "重病", "branch_decided_on": "2023-06-10",
        "approved_by": "街道", "approval_document": "x", "approved_on": "2023-06-01"})
    assert not DuesRelief.objects.exists()


def test_it_saves_the_quarterly_schedule_and_voluntary_extra(owing, client_for):
    client_for(owing.worker_a).post(reverse("dues_profile", args=[owing.member_a.pk]), {
        "pay_schedule": "quarterly", "voluntary_extra": "10", "note": "经支部同意"})
    profile = DuesProfile.objects.get(member=owing.member_a)
    assert (profile.pay_schedule, profile.voluntary_extra) == ("quarterly", D("10.00"))


def test_it_shows_the_statement_with_balance(owing, client_for, today):
    payment_record(member=owing.member_a, amount=D("40"), paid_on=today, method="现金")
    response = client_for(owing.worker_a).get(reverse("dues_member", args=[owing.member_a.pk]))
    assert response.context["balance"] == D("160.00")  # 5 months × 40 − 40
    assert "余额" in response.content.decode()


def test_it_computes_a_base_in_the_calculator(world, client_for):
    response = client_for(world.worker_a).post(reverse("dues_calculator"), {
        "category": "在职", "item_basic": "5000", "item_transport": "300", "tax": "100", "action": "calc"})
    result = response.context["result"]
    assert (result.base, result.dues.amount) == (D("4900.00"), D("49.00"))


def test_it_asks_in_the_calculator_whether_to_deduct_personal_insurance(world, client_for):
    response = client_for(world.worker_a).post(reverse("dues_calculator"), {
        "category": "在职", "item_basic": "5000", "insurance": "400", "action": "calc"})
    assert response.context["result"] is None and "文件未明确" in response.context["error"]


def test_it_saves_the_calculators_base_for_the_member(owing, client_for, today):
    url = reverse("dues_calculator") + f"?member={owing.member_a.pk}"
    client_for(owing.worker_a).post(url, {"category": "在职", "item_basic": "5100", "action": "save",
                                          "effective_month": f"{month_of(today):%Y-%m}"})
    base = DuesBase.objects.get(member=owing.member_a, effective_month=month_of(today))
    assert base.base == D("5100.00") and base.calculation["counted"][0][1] == "5100.00"


def test_it_shows_each_rule_with_its_source(world, client_for):
    page = client_for(world.worker_a).get(reverse("dues_rules")).content.decode()
    assert "中组发〔2008〕3号" in page and "文件未作明确规定" in page and "按时足额" in page


def test_it_filters_the_due_list_by_state(owing, client_for, today):
    base_set(member=owing.member_b, effective_month=month_of(today), category="在职", base=D("3000"))
    payment_record(member=owing.member_b, amount=D("15"), paid_on=today, method="现金")
    client = client_for(owing.worker)
    period = str(add_months(month_of(today), -2))[:7]
    rows = client.get(reverse("dues_home"), {"period": period, "state": "arrears"}).context["page"]
    assert [r.member for r in rows] == [owing.member_a]


def test_it_lists_arrears_with_the_months_owed(owing, client_for, today):
    response = client_for(owing.worker).get(reverse("dues_arrears"))
    row = response.context["rows"][0]
    assert row.member == owing.member_a and len(row.owed_months) >= 3 and row.level in ("warn", "alarm")


def test_it_exports_the_monthly_ledger(owing, client_for, today):
    payment_record(member=owing.member_a, amount=D("40"), paid_on=today, method="微信", receipt_no="No.7",
                   months=[month_of(today)])
    response = client_for(owing.worker).get(reverse("dues_export"), {"period": f"{today:%Y-%m}"})
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["党费收缴台账"]
    assert ws["A1"].value.endswith("党费收缴台账")
    row = [c.value for c in ws[3]]
    assert row[1] == "张三" and row[4] == 40 and row[5] == 40 and row[9] == "微信" and row[10] == "No.7"


def test_it_exports_the_yearly_ledger_with_a_column_per_month(owing, client_for, today):
    response = client_for(owing.worker).get(reverse("dues_export"), {"period": str(today.year)})
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["党费收缴台账"]
    headers = [c.value for c in ws[2]]
    assert headers[4:16] == [f"{m}月实交" for m in range(1, 13)] and "欠交" in headers


def test_it_preselects_the_clerks_own_organisation_for_an_import(owing, client_for):
    form = client_for(owing.worker_a).get(reverse("dues_import")).context["form"]
    assert form["org"].value() == owing.branch_a.pk


def test_it_books_an_import_only_after_the_clerk_confirms(owing, client_for, today):
    client = client_for(owing.worker_a)
    csv = f"姓名,身份证后四位,金额,交纳日期,交易单号\n张三,{owing.member_a.id_number[-4:]},40,{today},T1\n".encode()
    preview = client.post(reverse("dues_import"), {"file": SimpleUploadedFile("p.csv", csv),
                                                   "org": owing.branch_a.pk, "method": "微信"})
    assert preview.context["plan"].counts["matched"] == 1 and DuesEntry.objects.count() == 0
    client.post(reverse("dues_import"), {"token": preview.context["token"], "org": owing.branch_a.pk,
                                         "method": "微信", "filename": "p.csv"})
    assert DuesEntry.objects.get().external_ref == "T1"


def test_it_lists_large_payments(owing, client_for, today):
    payment_record(member=owing.member_a, amount=D("1040"), extra=D("1000"), paid_on=today, method="银行转账",
                   months=[month_of(today)])
    page = client_for(owing.worker).get(reverse("dues_entries"), {"large": "1"}).context["page"]
    assert [e.amount for e in page] == [D("1040.00")]


def test_it_adds_the_dues_panel_to_the_dashboard(owing, client_for):
    response = client_for(owing.worker).get(reverse("dashboard"))
    assert response.status_code == 200 and "panel-dues" in response.content.decode()


def test_a_large_payment_list_is_booked_by_a_worker_once_confirmed(owing, client_for, today, settings):
    from dangjian.jobs.models import Job
    from dangjian.jobs.worker import run_pending

    settings.DANGJIAN_BACKGROUND_ROWS = 1
    client = client_for(owing.worker_a)
    csv = f"姓名,身份证后四位,金额,交纳日期,交易单号\n张三,{owing.member_a.id_number[-4:]},40,{today},T1\n".encode()
    preview = client.post(reverse("dues_import"), {"file": SimpleUploadedFile("p.csv", csv),
                                                   "org": owing.branch_a.pk, "method": "微信"})
    response = client.post(reverse("dues_import"), {"token": preview.context["token"], "org": owing.branch_a.pk,
                                                    "method": "微信", "filename": "p.csv"})
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk]) and DuesEntry.objects.count() == 0
    run_pending()
    job.refresh_from_db()
    assert job.status == "done" and "入账1笔" in job.message and DuesEntry.objects.get().external_ref == "T1"
