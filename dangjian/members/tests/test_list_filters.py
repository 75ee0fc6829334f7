"""The member list's org drop-down stays short for a street or district: communities first, then
the units of the community chosen."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def offered(client, **params):
    return {name for _, name in client.get(reverse("member_list"), params).context["orgs"]}


def test_it_offers_a_secretary_every_unit_of_the_community(world, client_for):
    assert offered(client_for(world.secretary)) == {"和平社区党总支", "第一党支部", "第一党小组", "第二党支部"}


def test_it_offers_a_street_its_communities_first(world, client_for):
    assert offered(client_for(world.street_admin)) == {"和平社区党总支", "光明社区党总支"}


def test_it_offers_a_street_the_units_of_the_community_chosen(world, client_for):
    assert offered(client_for(world.street_admin), org=world.other_community.pk) == {
        "和平社区党总支", "光明社区党总支", "光明第一党支部"}
