"""A district (区委) over streets: its admin sees every street below it; a street admin sees only
their own street; the street-level pages work for an org at district level."""

import pytest
from django.urls import reverse

from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind, Role
from dangjian.orgs.scoping import may_set_deployment_rules, may_sign, may_view_pii, top_orgs, visible_orgs
from dangjian.orgs.services import grantable_roles
from dangjian.testing.dashboard import drawn_panels
from dangjian.testing.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(world):
    """The world's street moved under a district, beside a second street with a community of its own."""
    d = world
    d.district = Org.objects.create(kind=OrgKind.DISTRICT, name="历下区委", short_name="历下区", code="LX")
    for org in Org.objects.subtree_of(world.street).order_by("path"):
        org.refresh_from_db()
        if org.pk == world.street.pk:
            org.parent = d.district
        org.save()  # the path is derived from the parent's
    d.street.refresh_from_db()
    d.community.refresh_from_db()
    d.other_street = Org.objects.create(kind=OrgKind.STREET, name="解放路街道党工委", short_name="解放路街道", code="JF",
                                        parent=d.district)
    d.far_community = Org.objects.create(kind=OrgKind.GENERAL_BRANCH, name="朝阳社区党总支", short_name="朝阳社区",
                                         code="JF01", parent=d.other_street)
    d.far_branch = Org.objects.create(kind=OrgKind.BRANCH, name="朝阳第一党支部", code="JF01-1", parent=d.far_community)
    d.far_member = MemberFactory(name="赵六", org=d.far_branch)
    d.district_admin = UserFactory(username="quwei", role=(Role.DISTRICT_ADMIN, d.district))
    d.other_street_admin = UserFactory(username="jiedao-jf", role=(Role.STREET_ADMIN, d.other_street))
    return d


def test_the_district_admin_sees_every_street_and_their_members(district):
    d = district
    assert d.street.path.startswith(d.district.path) and d.community.path.startswith(d.street.path)
    assert set(visible_orgs(d.district_admin)) == set(Org.objects.all())
    assert top_orgs(d.district_admin) == [d.district]
    seen = set(Member.objects.visible_to(d.district_admin).values_list("name", flat=True))
    assert {"张三", "李四", "王五", "赵六"} <= seen
    assert may_sign(d.district_admin, d.far_community) and may_view_pii(d.district_admin, d.community)
    assert may_set_deployment_rules(d.district_admin)


def test_a_street_admin_does_not_see_another_street(district):
    d = district
    assert "赵六" not in set(Member.objects.visible_to(d.street_admin).values_list("name", flat=True))
    assert "张三" not in set(Member.objects.visible_to(d.other_street_admin).values_list("name", flat=True))
    assert d.district not in set(visible_orgs(d.street_admin))
    assert not may_sign(d.street_admin, d.far_community)
    # The rules of the whole deployment are the district's to set once a district sits on top.
    assert not may_set_deployment_rules(d.street_admin)


def test_a_street_admin_gets_a_404_for_the_other_streets_pages(district, client_for):
    d = district
    client = client_for(d.street_admin)
    assert client.get(reverse("dashboard") + f"?org={d.other_street.pk}").status_code == 404
    assert client.get(reverse("member_list") + f"?org={d.far_community.pk}").status_code == 404
    assert client.get(reverse("member_detail", args=[d.far_member.pk])).status_code == 404


def test_the_district_admin_may_grant_street_admin_but_a_street_admin_may_not_grant_district_admin(district):
    d = district
    assert Role.STREET_ADMIN in grantable_roles(d.district_admin, d.other_street)
    assert Role.DISTRICT_ADMIN not in grantable_roles(d.street_admin, d.street)


@pytest.mark.parametrize("name", ["dashboard", "member_list", "meeting_compliance", "meeting_reach", "dues_home",
                                  "dues_arrears", "plan_list", "problem_list", "street_view", "report_list",
                                  "recruit_board", "org_list", "grid_home", "meeting_list"])
def test_the_street_pages_work_for_the_district(district, client_for, name):
    d = district
    response = client_for(d.district_admin).get(reverse(name) + f"?org={d.district.pk}&period=2023Q3")
    assert response.status_code == 200, name
    if name == "member_list":
        html = response.content.decode()
        assert "张三" in html and "赵六" in html
    if name == "street_view":
        names = [r["org"].name for r in response.context["rows"]]
        assert set(names) == {"和平社区党总支", "光明社区党总支", "朝阳社区党总支"}


def test_the_dashboard_counts_the_members_of_every_street(district, client_for):
    d = district
    panels = drawn_panels(client_for(d.district_admin).get(reverse("dashboard") + f"?org={d.district.pk}"))
    street_panels = drawn_panels(client_for(d.street_admin).get(reverse("dashboard") + f"?org={d.street.pk}"))
    members = next(p for p in panels if p.get("f") is not None and hasattr(p["f"], "full"))
    street_members = next(p for p in street_panels if p.get("f") is not None and hasattr(p["f"], "full"))
    assert members["f"].full.value == street_members["f"].full.value + 1  # 赵六
