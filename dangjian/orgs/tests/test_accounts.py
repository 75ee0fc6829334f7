"""Accounts kept in the app, scoped like everything else: who may create, change and reset whom."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.orgs import services
from dangjian.orgs.models import AccountLog, Role, RoleAssignment

User = get_user_model()


def create(client, **data):
    return client.post(reverse("account_new"), data)


def test_it_lets_a_secretary_add_a_clerk_with_a_temporary_password(world, client_for):
    client = client_for(world.secretary)
    response = create(client, name="王楠", username="wangnan", role=Role.PARTY_WORKER, org=world.branch_a.pk)
    account = User.objects.get(username="wangnan")
    page = client.get(response["Location"]).content.decode()
    password = page.split('data-testid="temp-password">')[1].split("<")[0]
    assert account.first_name == "王楠" and account.check_password(password)
    assert account.roles.get().org == world.branch_a
    assert AccountLog.objects.get(account=account).actor == world.secretary


def test_it_shows_the_temporary_password_only_once(world, client_for):
    client = client_for(world.secretary)
    url = create(client, name="王楠", username="wangnan", role=Role.GRID_WORKER, org=world.community.pk)["Location"]
    assert "temp-password" in client.get(url).content.decode()
    assert "temp-password" not in client.get(url).content.decode()


def test_it_refuses_a_secretary_granting_roles_outside_their_subtree(world, client_for):
    create(client_for(world.secretary), name="某", username="x1", role=Role.PARTY_WORKER, org=world.branch_c.pk)
    assert not User.objects.filter(username="x1").exists()


def test_it_refuses_a_secretary_making_another_secretary(world, client_for):
    create(client_for(world.secretary), name="某", username="x2", role=Role.COMMUNITY_SECRETARY, org=world.branch_a.pk)
    assert not User.objects.filter(username="x2").exists()


def test_it_refuses_a_clerk_making_anyone_a_secretary(world):
    with pytest.raises(ValidationError):
        services.account_create(by=world.worker, username="x3", name="某", role=Role.COMMUNITY_SECRETARY,
                                org=world.branch_a)
    with pytest.raises(ValidationError):
        services.account_role_add(by=world.worker, account=world.grid_worker, role=Role.COMMUNITY_SECRETARY,
                                  org=world.community)


def test_it_lets_a_clerk_add_a_grid_worker_of_their_community(world):
    account, _ = services.account_create(by=world.worker, username="wg2", name="网格员二", role=Role.GRID_WORKER,
                                         org=world.community)
    assert account.roles.get().role == Role.GRID_WORKER


@pytest.mark.parametrize("who", ["outsider", "worker_a", "grid_worker", "member_user"])
def test_it_hides_accounts_a_user_may_not_manage(world, client_for, who):
    response = client_for(getattr(world, who)).get(reverse("account_detail", args=[world.worker.pk]))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("action", ["reset_password", "disable", "rename", "role_remove"])
def test_it_refuses_changing_an_account_outside_the_subtree(world, client_for, action):
    before = User.objects.get(pk=world.worker.pk)
    assignment = world.worker.roles.get()
    response = client_for(world.outsider).post(reverse("account_action", args=[world.worker.pk, action]),
                                               {"name": "改名", "assignment": assignment.pk})
    after = User.objects.get(pk=world.worker.pk)
    assert response.status_code == 404
    assert (after.password, after.is_active, after.first_name) == (before.password, before.is_active, before.first_name)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_it_refuses_a_secretary_resetting_a_peers_password(world, client_for):
    peer = User.objects.create_user("shuji2", password="x-pass-1234")
    RoleAssignment.objects.create(user=peer, role=Role.COMMUNITY_SECRETARY, org=world.community)
    response = client_for(world.secretary).post(reverse("account_action", args=[peer.pk, "reset_password"]))
    assert response.status_code == 404 and User.objects.get(pk=peer.pk).check_password("x-pass-1234")


def test_it_resets_a_password_and_logs_it(world, client_for):
    client = client_for(world.secretary)
    client.post(reverse("account_action", args=[world.grid_worker.pk, "reset_password"]))
    page = client.get(reverse("account_detail", args=[world.grid_worker.pk])).content.decode()
    password = page.split('data-testid="temp-password">')[1].split("<")[0]
    assert User.objects.get(pk=world.grid_worker.pk).check_password(password)
    assert AccountLog.objects.filter(account=world.grid_worker, action=AccountLog.Action.RESET_PASSWORD).exists()


def test_it_disables_an_account_which_then_cannot_log_in(world, client_for, client):
    client_for(world.secretary).post(reverse("account_action", args=[world.grid_worker.pk, "disable"]))
    assert not client.login(username=world.grid_worker.username, password="test-pass-123")
    assert AccountLog.objects.filter(account=world.grid_worker, action=AccountLog.Action.DISABLE).exists()


def test_it_lists_only_accounts_of_the_subtree(world, client_for):
    page = client_for(world.secretary).get(reverse("account_list")).content.decode()
    assert world.worker_a.username in page and world.outsider.username not in page
    assert world.street_admin.username not in page


def test_it_lets_a_user_change_their_own_password(world, client_for):
    client = client_for(world.grid_worker)
    response = client.post(reverse("password_change"), {"old": "test-pass-123", "new": "Hp-2026-wangge", "again": "Hp-2026-wangge"})
    assert response.status_code == 302 and User.objects.get(pk=world.grid_worker.pk).check_password("Hp-2026-wangge")
    assert client.get(reverse("dashboard")).status_code in (200, 302)  # still logged in


def test_it_refuses_a_wrong_old_password(world, client_for):
    page = client_for(world.grid_worker).post(reverse("password_change"), {"old": "wrong", "new": "Hp-2026-wangge",
                                                                           "again": "Hp-2026-wangge"}).content.decode()
    assert "原密码不正确" in page and User.objects.get(pk=world.grid_worker.pk).check_password("test-pass-123")


def test_it_says_how_many_login_attempts_remain_and_keeps_the_username(world, client, settings):
    settings.AXES_ENABLED = True
    page = client.post(reverse("login"), {"username": "shuji", "password": "wrong"}).content.decode()
    assert "再错 4 次将锁定" in page and 'value="shuji"' in page


def test_it_preselects_the_only_organisation_a_form_offers(world, client_for):
    page = client_for(world.worker_b).get(reverse("account_new")).content.decode()  # 第二党支部 has no 党小组
    assert f'<option value="{world.branch_b.pk}" selected>' in page


def test_it_answers_a_malformed_role_id_with_not_found(world, client_for):
    response = client_for(world.secretary).post(reverse("account_action", args=[world.grid_worker.pk, "role_remove"]),
                                                {"assignment": "x'1"})
    assert response.status_code == 404 and world.grid_worker.roles.exists()
