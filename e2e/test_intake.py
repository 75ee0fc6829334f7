"""A 网格员 on a phone (360 px) taps 更正 on a phone number and 保存 without typing: the number
stays (it was shown masked, never erased); clearing it takes its own confirmed button."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.grid import services
from dangjian.grid.models import Resident
from dangjian.lib.idnumbers import make_id
from e2e.conftest import login, shot


@pytest.fixture
def household(e2e_world):
    w = e2e_world
    grid = services.grid_create(community=w.community, name="第一网格")
    services.grid_assign_worker(grid=grid, worker=w.grid_worker, started_on=timezone.localdate() - timedelta(days=30))
    building = services.building_create(grid=grid, estate="和平小区", name="1号楼", units=["1单元"])
    household = services.household_create(building=building, unit_name="1单元", door="101")
    w.resident = services.resident_add(household=household, name="张大山", relation="户主", phone="15312348744",
                                       id_number=make_id(date(1950, 3, 1), "男", "370102", random.Random(1)))
    return household


def test_saving_an_untouched_phone_keeps_the_number(phone_page, household, e2e_world):
    page, r = phone_page, e2e_world.resident
    login(page, "wangge")
    page.goto(page.base_url + f"/grid/household/{household.pk}/")
    page.get_by_test_id(f"correct-phone-{r.pk}").click()
    box = page.locator(f"#f-{r.pk}-phone input[name=value]")
    assert (box.input_value(), box.get_attribute("placeholder")) == ("", "153****8744")
    shot(page, "intake-correct-phone-open")
    page.locator(f"#f-{r.pk}-phone").get_by_role("button", name="保存").click()
    page.get_by_test_id(f"phone-{r.pk}").filter(has_text="153****8744").wait_for()
    shot(page, "intake-correct-phone-saved-untouched")
    assert Resident.objects.get(pk=r.pk).phone == "15312348744"


def test_clearing_a_phone_asks_first_and_is_kept_in_history(phone_page, household, e2e_world):
    page, r = phone_page, e2e_world.resident
    login(page, "wangge")
    page.goto(page.base_url + f"/grid/household/{household.pk}/")
    page.get_by_test_id(f"correct-phone-{r.pk}").click()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id(f"clear-phone-{r.pk}").click()
    assert Resident.objects.get(pk=r.pk).phone == "15312348744"  # declined: nothing sent
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id(f"clear-phone-{r.pk}").click()
    page.get_by_test_id(f"phone-{r.pk}").filter(has_text="—").wait_for()
    shot(page, "intake-phone-cleared")
    cleared = Resident.objects.get(pk=r.pk)
    assert (cleared.phone, cleared.history.latest().history_change_reason) == ("", "清除联系电话")


def test_a_clerk_maps_an_unknown_branch_once_for_all_its_rows(page, e2e_world, tmp_path):
    from dangjian.members.models import Member
    from dangjian.members.tests.rosters import roster_xlsx
    from dangjian.orgs.models import Org, OrgKind

    Org.objects.create(kind=OrgKind.BRANCH, name="第三党支部", code="HP-3", parent=e2e_world.community)
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(roster_xlsx())
    login(page, "dangwu")
    page.goto(page.base_url + "/members/import/")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="预览").click()
    unmapped = page.locator("#unmapped-units")
    unmapped.get_by_text("“五支部”（3行：第11、12、13行）").wait_for()
    shot(page, "intake-import-preview-unmapped")
    unmapped.get_by_label("五支部").select_option(label="第二党支部")
    page.get_by_role("button", name="按所选重新检查").click()
    page.locator("#unmapped-units").wait_for(state="detached")
    page.get_by_text("花名册.xlsx → 和平社区党总支").wait_for()
    shot(page, "intake-import-preview-mapped")
    page.get_by_role("button", name="确认导入").click()
    page.get_by_role("heading", name="导入完成").wait_for()
    assert Member.objects.filter(org__name="第二党支部", name__in=["冯九", "陈十", "褚十一"]).count() == 3
