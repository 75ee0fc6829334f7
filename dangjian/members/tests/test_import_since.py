"""A roster import says when its new members belong to the organisation from: a column in the file,
else the clerk's answer in the preview (default: the import date; on a first import, optionally
"from their 入党 dates"), else `--member-since` on the command line."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from dangjian.members.importing import JOINED, member_import_apply, member_import_plan
from dangjian.members.models import Member, Membership
from dangjian.orgs.models import Org, OrgKind

pytestmark = pytest.mark.django_db
ID_ZHAO = "370102196503011799"
ID_QIAN = "370103197012059705"


def roster(header: str | None = None, dates: tuple = ()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "入党时间", "转正时间", "支部"] + ([header] if header else []))
    for i, (name, id_number) in enumerate((("赵国强", ID_ZHAO), ("钱秀英", ID_QIAN))):
        ws.append([name, id_number, "1990-07-01", "1991-07-01", "第一党支部"] + ([dates[i]] if header else []))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def starts() -> dict[str, date | None]:
    return dict(Membership.objects.filter(member__name__in=["赵国强", "钱秀英"]).values_list("member__name", "started_on"))


@pytest.mark.parametrize("header", ["加入本组织日期", "转入本支部日期", "组织关系转入日期"])
def test_it_takes_each_members_start_from_the_roster_column(world, header):
    plan = member_import_plan(roster(header, ("2023-08-15", "2019.3.1")), org=world.community, filename="r.xlsx")
    assert plan.undated == 0
    member_import_apply(plan)
    assert starts() == {"赵国强": date(2023, 8, 15), "钱秀英": date(2019, 3, 1)}


def test_it_counts_new_members_from_the_import_date_by_default(world):
    member_import_apply(member_import_plan(roster(), org=world.community, filename="r.xlsx"))
    assert set(starts().values()) == {timezone.localdate()}


def test_it_counts_them_from_the_date_the_clerk_gives(world):
    member_import_apply(member_import_plan(roster(), org=world.community, filename="r.xlsx"), since=date(2022, 1, 1))
    assert set(starts().values()) == {date(2022, 1, 1)}


def test_it_counts_a_first_roster_from_their_joining_dates_when_asked(world):
    empty = Org.objects.create(kind=OrgKind.BRANCH, name="第一党支部", code="NEW-1", parent=world.other_community)
    member_import_apply(member_import_plan(roster(), org=empty, filename="r.xlsx"), since=JOINED)
    assert set(starts().values()) == {date(1990, 7, 1)}


def test_it_refuses_joining_dates_once_the_organisation_has_a_roster(world):
    with pytest.raises(ValidationError, match="只用于首次导入"):
        member_import_apply(member_import_plan(roster(), org=world.community, filename="r.xlsx"), since=JOINED)
    assert not Member.objects.filter(name="赵国强").exists()


def test_it_asks_once_in_the_preview_and_books_the_answer(world, client_for):
    client = client_for(world.worker)
    upload = io.BytesIO(roster())
    upload.name = "花名册.xlsx"
    preview = client.post(reverse("member_import"), {"file": upload, "org": world.community.pk})
    page = preview.content.decode()
    assert page.count('id="member-since"') == 1 and 'name="since"' in page
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page and f'value="{JOINED}"' not in page  # not a first import
    client.post(reverse("member_import"), {"token": preview.context["token"], "org": world.community.pk,
                                           "since_mode": "date", "since": "2023-10-01"})
    assert set(starts().values()) == {date(2023, 10, 1)}


def test_it_offers_joining_dates_in_the_preview_of_a_first_import(world, client_for):
    empty = Org.objects.create(kind=OrgKind.BRANCH, name="第一党支部", code="NEW-1", parent=world.other_community)
    upload = io.BytesIO(roster())
    upload.name = "花名册.xlsx"
    preview = client_for(world.street_admin).post(reverse("member_import"), {"file": upload, "org": empty.pk})
    assert f'value="{JOINED}"' in preview.content.decode()


def test_it_takes_the_start_from_the_command_line(world, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster())
    call_command("import_members", str(path), "--org", "HP", "--member-since", "2023-06-01")
    assert set(starts().values()) == {date(2023, 6, 1)}
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("import_members", str(path), "--org", "HP", "--member-since", "去年")
