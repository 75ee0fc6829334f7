"""A 网格员 on a phone (360 px): open a household, mark it visited, correct a phone, see the grid move;
and a dropped connection never loses what was typed."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.grid import services
from dangjian.lib.idnumbers import make_id
from e2e.conftest import login, shot


@pytest.fixture
def grid_world(e2e_world):
    w = e2e_world
    today = timezone.localdate()
    w.grid = services.grid_create(community=w.community, name="第一网格")
    services.grid_assign_worker(grid=w.grid, worker=w.grid_worker, started_on=today - timedelta(days=30))
    building = services.building_create(grid=w.grid, estate="和平小区", name="1号楼", units=["1单元"])
    w.household = services.household_create(building=building, unit_name="1单元", door="101")
    services.household_create(building=building, unit_name="1单元", door="102")
    w.resident = services.resident_add(household=w.household, name="张大山", relation="户主", phone="13811112222",
                                       id_number=make_id(date(1950, 3, 1), "男", "370102", random.Random(1)))
    services.campaign_create(community=w.community, name="本季度户籍摸排", grids=[w.grid],
                             starts_on=today - timedelta(days=5), deadline=today + timedelta(days=25))
    return w


def _open_household(page):
    page.goto(page.base_url + "/grid/")
    page.get_by_test_id("grid-card").first.click()
    page.get_by_role("link", name="和平小区1号楼").click()
    page.get_by_test_id("door").filter(has_text="101").click()


def test_it_marks_a_household_visited_and_corrects_a_phone_on_a_phone(phone_page, grid_world):
    page, r = phone_page, grid_world.resident
    login(page, "wangge")
    _open_household(page)
    assert page.get_by_test_id("visit-state").inner_text() == "未走访"
    shot(page, "grid-household-before")
    page.get_by_role("button", name="已摸排").click()
    page.get_by_test_id("visit-state").filter(has_text="已完成").wait_for()
    page.get_by_test_id(f"correct-phone-{r.pk}").click()
    page.fill(f"#f-{r.pk}-phone input[name=value]", "13900001234")
    page.locator(f"#f-{r.pk}-phone").get_by_role("button", name="保存").click()
    page.get_by_test_id(f"phone-{r.pk}").filter(has_text="139****1234").wait_for()
    shot(page, "grid-household-after")
    page.get_by_role("link", name="第一网格", exact=True).click()
    assert page.get_by_test_id("grid-progress").inner_text().startswith("1/2")
    shot(page, "grid-progress")


def test_it_keeps_the_new_resident_typed_when_the_connection_drops(phone_page, grid_world):
    page = phone_page
    login(page, "wangge")
    page.goto(page.base_url + f"/grid/household/{grid_world.household.pk}/resident/new/")
    page.fill("#id_name", "王小明")
    id_number = make_id(date(1990, 4, 4), "男", "370102", random.Random(5))
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", "13512345678")
    page.route("**/resident/new/", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    page.get_by_role("button", name="保存").click()
    page.get_by_text("网络连接失败").wait_for()
    assert page.input_value("#id_name") == "王小明" and page.input_value("#id_phone") == "13512345678"
    shot(page, "grid-offline")
    page.unroute("**/resident/new/")
    page.reload()  # even a reload keeps it (data-autosave) — all but the ID number and phone, never stored
    assert page.input_value("#id_name") == "王小明" and page.input_value("#id_id_number") == ""
    page.fill("#id_id_number", id_number)
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="王小明").wait_for()
    page.goto(page.base_url + f"/grid/household/{grid_world.household.pk}/resident/new/")
    assert page.input_value("#id_name") == ""  # the saved draft is gone once the resident is in


def test_it_keeps_a_corrected_phone_typed_when_the_server_fails(phone_page, grid_world):
    page, r = phone_page, grid_world.resident
    login(page, "wangge")
    page.goto(page.base_url + f"/grid/household/{grid_world.household.pk}/")
    page.get_by_test_id(f"correct-phone-{r.pk}").click()
    page.fill(f"#f-{r.pk}-phone input[name=value]", "13900009999")
    page.route(f"**/resident/{r.pk}/field/phone/",
               lambda route: route.fulfill(status=502, body="Bad Gateway") if route.request.method == "POST" else route.continue_())
    page.locator(f"#f-{r.pk}-phone").get_by_role("button", name="保存").click()
    page.get_by_text("提交失败").wait_for()
    assert page.input_value(f"#f-{r.pk}-phone input[name=value]") == "13900009999"
    page.unroute(f"**/resident/{r.pk}/field/phone/")
    page.locator(f"#f-{r.pk}-phone").get_by_role("button", name="保存").click()
    page.get_by_test_id(f"phone-{r.pk}").filter(has_text="139****9999").wait_for()
