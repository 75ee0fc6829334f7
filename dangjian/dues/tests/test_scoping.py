"""Every dues view and export keeps a user inside their subtree (404 outside, 403 without the role)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.dues.models import DuesEntry
from dangjian.dues.services import base_set, payment_record, relief_grant

pytestmark = pytest.mark.django_db
MEMBER_GETS = ["dues_member"]
MEMBER_POSTS = ["dues_pay", "dues_base", "dues_relief", "dues_profile"]


@pytest.fixture
def books(world):
    today = timezone.localdate()
    for m in (world.member_a, world.member_b, world.member_c):
        base_set(member=m, effective_month=today.replace(day=1), category="在职", base=Decimal("4000"))
        payment_record(member=m, amount=Decimal("40"), paid_on=today, method="现金")
    relief_grant(member=world.member_b, kind="exempt", from_month=date(2030, 1, 1), reason="困难",
                 branch_decided_on=date(2029, 12, 1), approved_by="街道", approval_document="x号",
                 approved_on=date(2029, 12, 2))
    return world


@pytest.mark.parametrize("view", MEMBER_GETS)
def test_it_gives_branch_a_worker_404_for_a_branch_b_member(books, client_for, view):
    assert client_for(books.worker_a).get(reverse(view, args=[books.member_b.pk])).status_code == 404


@pytest.mark.parametrize("view", MEMBER_POSTS)
def test_it_refuses_writes_for_a_member_outside_the_subtree(books, client_for, view):
    response = client_for(books.worker_a).post(reverse(view, args=[books.member_b.pk]), {"amount": "40"})
    assert response.status_code == 404
    assert DuesEntry.objects.filter(member=books.member_b).count() == 1


def test_it_refuses_to_reverse_an_entry_outside_the_subtree(books, client_for):
    entry = DuesEntry.objects.get(member=books.member_b)
    response = client_for(books.worker_a).post(reverse("dues_reverse", args=[entry.pk]), {"reason": "x"})
    assert response.status_code == 404 and not DuesEntry.objects.filter(reverses=entry).exists()


def test_it_refuses_to_end_a_relief_outside_the_subtree(books, client_for):
    relief = books.member_b.dues_reliefs.get()
    response = client_for(books.worker_a).post(reverse("dues_relief_end", args=[relief.pk]), {"to_month": "2030-02"})
    assert response.status_code == 404


@pytest.mark.parametrize("view", ["dues_home", "dues_arrears", "dues_entries", "dues_export", "dues_rules"])
def test_it_gives_404_for_an_org_outside_the_subtree(books, client_for, view):
    assert client_for(books.worker_a).get(reverse(view), {"org": books.branch_b.pk}).status_code == 404


def test_it_lists_only_the_subtrees_members(books, client_for):
    rows = client_for(books.worker_a).get(reverse("dues_home")).context["page"]
    assert [r.member for r in rows] == [books.member_a]


def test_it_lists_only_the_subtrees_payments(books, client_for):
    page = client_for(books.worker_a).get(reverse("dues_entries")).context["page"]
    assert [e.member for e in page] == [books.member_a]


def test_it_exports_only_the_subtree(books, client_for):
    import io

    import openpyxl

    response = client_for(books.worker_a).get(reverse("dues_export"))
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [row[1] for row in wb["党费收缴台账"].iter_rows(min_row=3, values_only=True) if row[1] != "合计"]
    assert names == ["张三"]
    assert [r[1] for r in wb["收款明细"].iter_rows(min_row=2, values_only=True)] == ["张三"]


def test_it_lets_the_street_admin_see_both_communities(books, client_for):
    rows = client_for(books.street_admin).get(reverse("dues_home")).context["page"]
    assert sorted(r.member.name for r in rows) == ["张三", "李四", "王五"]


def test_it_keeps_the_other_communitys_secretary_out(books, client_for):
    client = client_for(books.outsider)
    assert client.get(reverse("dues_member", args=[books.member_a.pk])).status_code == 404
    assert client.get(reverse("dues_home"), {"org": books.community.pk}).status_code == 404


def test_it_refuses_the_calculator_for_a_member_outside_the_subtree(books, client_for):
    assert client_for(books.worker_a).get(reverse("dues_calculator"), {"member": books.member_b.pk}).status_code == 404


def test_it_matches_an_import_only_against_members_the_clerk_may_see(books, client_for):
    csv = "姓名,金额,交纳日期\n李四,40,2023-07-01\n".encode()
    response = client_for(books.worker_a).post(reverse("dues_import"), {
        "file": SimpleUploadedFile("p.csv", csv), "org": books.branch_a.pk, "method": "微信"})
    plan = response.context["plan"]
    assert plan.rows[0].status == "unmatched"


def test_it_lets_a_clerk_give_an_unmatched_row_only_to_a_member_in_the_subtree(books, client_for):
    client = client_for(books.worker_a)
    csv = "姓名,金额,交纳日期\n张小明,40,2023-07-01\n张小明,40,2023-08-01\n".encode()
    preview = client.post(reverse("dues_import"), {"file": SimpleUploadedFile("p.csv", csv), "org": books.branch_a.pk,
                                                   "method": "微信"})
    assert [m.pk for m in preview.context["plan"].assignable] == [books.member_a.pk]
    assert 'name="assign_2"' in preview.content.decode() and books.member_b.name not in preview.content.decode()
    client.post(reverse("dues_import"), {"token": preview.context["token"], "org": books.branch_a.pk, "method": "微信",
                                         "filename": "p.csv", "assign_2": books.member_a.pk, "assign_3": books.member_b.pk})
    assert list(DuesEntry.objects.filter(import_batch__isnull=False).values_list("member_id", flat=True)) == [
        books.member_a.pk]


def test_it_refuses_an_import_into_an_org_outside_the_subtree(books, client_for):
    csv = "姓名,金额,交纳日期\n李四,40,2023-07-01\n".encode()
    response = client_for(books.worker_a).post(reverse("dues_import"), {
        "file": SimpleUploadedFile("p.csv", csv), "org": books.branch_b.pk, "method": "微信"})
    assert response.status_code == 200 and "org" in response.context["form"].errors


def test_it_sends_a_member_account_to_its_own_statement(books, client_for):
    client = client_for(books.member_user)
    response = client.get(reverse("dues_home"))
    assert response.status_code == 302 and response.url == reverse("dues_member", args=[books.member_a.pk])
    assert client.get(response.url).status_code == 200
    assert client.get(reverse("dues_member", args=[books.member_b.pk])).status_code == 404


@pytest.mark.parametrize(("method", "view", "args"), [
    ("post", "dues_pay", True), ("post", "dues_base", True), ("get", "dues_export", False),
    ("get", "dues_arrears", False), ("get", "dues_entries", False), ("get", "dues_import", False),
])
def test_it_forbids_a_member_account_to_book_or_export(books, client_for, method, view, args):
    url = reverse(view, args=[books.member_a.pk] if args else [])
    assert getattr(client_for(books.member_user), method)(url).status_code == 403


def test_it_shows_a_member_account_no_forms(books, client_for):
    response = client_for(books.member_user).get(reverse("dues_member", args=[books.member_a.pk]))
    assert not response.context["can_edit"] and "登记交纳" not in response.content.decode()


def test_it_shows_a_grid_worker_no_dues(books, client_for):
    client = client_for(books.grid_worker)
    assert client.get(reverse("dues_home")).status_code == 403
    assert client.get(reverse("dues_member", args=[books.member_a.pk])).status_code == 404
