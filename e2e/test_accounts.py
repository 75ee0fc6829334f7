"""A community secretary adds a grid worker without the Django admin; the grid worker logs in with
the temporary password and changes it."""

from e2e.conftest import login, shot


def test_it_adds_a_grid_worker_who_logs_in_and_changes_the_password(page, phone_page, e2e_world):
    login(page, "shuji")
    page.get_by_role("link", name="账号管理").click()
    shot(page, "accounts-list")
    page.get_by_role("link", name="新建账号").click()
    page.fill("#id_name", "刘芳")
    page.fill("#id_username", "liufang")
    page.select_option("#id_role", label="网格员")
    page.select_option("#id_org", label="和平社区党总支")
    page.get_by_role("button", name="建立账号").click()
    password = page.get_by_test_id("temp-password").inner_text()
    shot(page, "accounts-created")

    login(phone_page, "liufang", password)
    phone_page.get_by_role("button", name="菜单").click()
    phone_page.get_by_role("link", name="修改密码").click()
    # a loaded CI machine once took longer than the 10 s default to answer this GET
    phone_page.wait_for_url("**/password/", timeout=30_000)
    phone_page.fill("#id_old", password)
    phone_page.fill("#id_new", "Liu-fang-2026")
    phone_page.fill("#id_again", "Liu-fang-2026")
    shot(phone_page, "accounts-password-phone")
    phone_page.get_by_role("button", name="保存新密码").click()
    assert phone_page.get_by_text("密码已修改").is_visible()

    page.reload()
    assert page.get_by_text("本人修改密码").is_visible()
