"""A page's org picker lists the way down to the org shown, its siblings and its children — never
a whole district's thousands of 党支部 — and nothing outside the user's subtree."""

import re

import pytest
from django.urls import reverse

from dangjian.orgs.scoping import nearby, visible_orgs

pytestmark = pytest.mark.django_db


def options(response) -> list[str]:
    form = response.content.decode().split('name="org"')[1].split("</select>")[0]
    return re.findall(r"<option [^>]*>([^<]+)</option>", form)


def test_the_street_admin_picks_a_community_then_its_branches(world, client_for):
    client = client_for(world.street_admin)
    assert options(client.get(reverse("dashboard"))) == ["新华街道党工委", "和平社区党总支", "光明社区党总支"]
    assert options(client.get(reverse("dashboard"), {"org": world.community.pk})) == [
        "新华街道党工委", "和平社区党总支", "第一党支部", "第二党支部", "光明社区党总支"]
    assert options(client.get(reverse("meeting_compliance"), {"org": world.branch_a.pk})) == [
        "新华街道党工委", "和平社区党总支", "第一党支部", "第二党支部"]


def test_a_secretary_sees_no_org_above_or_beside_their_community(world, client_for):
    client = client_for(world.secretary)
    assert options(client.get(reverse("dashboard"))) == ["和平社区党总支", "第一党支部", "第二党支部"]
    assert set(nearby(visible_orgs(world.secretary), world.branch_a).values_list("name", flat=True)) == {
        "和平社区党总支", "第一党支部", "第二党支部", "第一党小组"}
