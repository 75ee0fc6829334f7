"""The named world every test shares: one street, two communities, branches, and their users.

    street ─ 和平社区党总支 (community) ─ 第一党支部 (branch_a) ─ 第一党小组 (group_a1)
           │                          └ 第二党支部 (branch_b)
           └ 光明社区党总支 (other_community) ─ 光明第一党支部 (branch_c)

Users: street_admin, secretary (和平), worker (community 党务), worker_a (branch A 党务),
worker_b, grid_worker (和平), member_user (a 党员 in branch A), outsider (光明's secretary).
"""

import os

import factory.random
import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from dangjian.orgs.models import Org, OrgKind, Role
from dangjian.testing.factories import MemberFactory, UserFactory

pytest_plugins = ["dangjian.testing.concurrency"]  # the concurrent_db fixture

# No per-example deadline (a loaded 2-core CI box is slow, not wrong); under CI the examples
# are derived from each test, so a run is repeatable.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _seeded_factories():
    """The same fake names every run, whatever ran before: a random 张素 among the members would
    also match a search for "zs" now and then."""
    factory.random.reseed_random("dangjian")


class World:
    pass


@pytest.fixture
def world(db) -> World:
    # Rows the data migrations seed are gone once a transactional (browser) test in this process
    # has flushed the database; tests run in any order on any worker, so put them back.
    from dangjian.meetings.choices import ensure_builtin_types
    from dangjian.meetings.models import ActivityType
    from dangjian.plans.services import terms_ensure_defaults

    ensure_builtin_types(ActivityType)
    terms_ensure_defaults()
    w = World()
    w.street = Org.objects.create(kind=OrgKind.STREET, name="新华街道党工委", short_name="新华街道", code="XH")
    w.community = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name="和平社区党总支", short_name="和平社区",
                                     code="HP", parent=w.street)
    w.branch_a = Org.objects.create(kind=OrgKind.BRANCH, name="第一党支部", code="HP-1", parent=w.community)
    w.group_a1 = Org.objects.create(kind=OrgKind.GROUP, name="第一党小组", code="HP-1-1", parent=w.branch_a)
    w.branch_b = Org.objects.create(kind=OrgKind.BRANCH, name="第二党支部", code="HP-2", parent=w.community)
    w.other_community = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name="光明社区党总支", short_name="光明社区",
                                           code="GM", parent=w.street)
    w.branch_c = Org.objects.create(kind=OrgKind.BRANCH, name="光明第一党支部", code="GM-1", parent=w.other_community)
    w.street_admin = UserFactory(username="jiedao", role=(Role.STREET_ADMIN, w.street))
    w.secretary = UserFactory(username="shuji", role=(Role.COMMUNITY_SECRETARY, w.community))
    w.worker = UserFactory(username="dangwu", role=(Role.PARTY_WORKER, w.community))
    w.worker_a = UserFactory(username="zhibu_a", role=(Role.PARTY_WORKER, w.branch_a))
    w.worker_b = UserFactory(username="zhibu_b", role=(Role.PARTY_WORKER, w.branch_b))
    w.grid_worker = UserFactory(username="wangge", role=(Role.GRID_WORKER, w.community))
    w.outsider = UserFactory(username="guangming", role=(Role.COMMUNITY_SECRETARY, w.other_community))
    w.member_a = MemberFactory(name="张三", org=w.group_a1, phone="13812345678")
    w.member_b = MemberFactory(name="李四", org=w.branch_b, phone="13900001111")
    w.member_c = MemberFactory(name="王五", org=w.branch_c)
    w.member_user = UserFactory(username="dangyuan", role=(Role.MEMBER, w.branch_a))
    w.member_a.user = w.member_user
    w.member_a.save()
    return w


@pytest.fixture
def client_for(db):
    """client_for(user) → a logged-in test client."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
