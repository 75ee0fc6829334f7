"""The browser autosave never keeps an ID number or phone, is per user, and is gone after logout."""

from .conftest import login


def _autosave(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(Object.keys(localStorage)
        .filter(k => k.startsWith("dj-autosave:")).map(k => [k, localStorage.getItem(k)]))""")


def test_it_keeps_the_name_but_never_the_id_or_phone(page, e2e_world):
    login(page, e2e_world.secretary.username)
    page.goto(page.base_url + "/members/new/")
    page.fill("#id_name", "赵六")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_phone", "13812345678")
    key = f"dj-autosave:{e2e_world.secretary.pk}:member-new"
    page.wait_for_function(f"() => (localStorage.getItem('{key}') || '').includes('赵六')")
    saved = " ".join(_autosave(page).values())
    assert "11010519491231002X" not in saved and "13812345678" not in saved


def test_it_clears_the_autosave_at_logout_and_shows_the_next_user_nothing(page, e2e_world):
    login(page, e2e_world.secretary.username)
    page.goto(page.base_url + "/members/new/")
    page.fill("#id_name", "赵六")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('dj-autosave:'))")
    page.click("form[data-logout] button")
    page.wait_for_url(lambda url: "/login/" in url)
    assert _autosave(page) == {}
    login(page, e2e_world.worker.username)
    page.goto(page.base_url + "/members/new/")
    assert page.input_value("#id_name") == "" and page.input_value("#id_id_number") == ""


def test_it_keys_the_autosave_by_user(page, e2e_world):
    login(page, e2e_world.worker.username)
    key = f"dj-autosave:{e2e_world.secretary.pk}:member-new"
    page.evaluate(f"() => localStorage.setItem('{key}', JSON.stringify({{name: '别人的草稿'}}))")
    page.goto(page.base_url + "/members/new/")
    assert page.input_value("#id_name") == ""
