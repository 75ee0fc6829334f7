"""The demo's sizes follow its options: generated communities per street and street, members a
community, residents a community (`--residents-per-community`)."""

import pytest
from django.db import transaction

from dangjian.demo import build
from dangjian.grid.models import Resident
from dangjian.members.models import Member
from dangjian.orgs.models import Org

pytestmark = pytest.mark.django_db


def _generated_counts() -> tuple[int, int]:
    """Current members and residents of the generated communities (all but 和平社区)."""
    heping = Org.objects.get(name="和平社区党总支")
    members = Member.objects.current().exclude(org__path__startswith=heping.path).count()
    residents = Resident.objects.exclude(household__grid__community=heping).count()
    return members, residents


def _sizes(**options) -> tuple[int, int, int]:
    with transaction.atomic():
        build(seed=5, apps=["orgs", "members", "grid"], log=lambda *_: None, **options)
        generated = Org.objects.communities().count() - 1
        members, residents = _generated_counts()
        transaction.set_rollback(True)
    return generated, members, residents


def test_the_generated_counts_scale_with_the_options():
    few = _sizes(streets=2, communities=1, residents_per_community=100)
    many = _sizes(streets=2, communities=3, residents_per_community=300)
    assert (few[0], many[0]) == (1, 5)
    # About 125 members a generated community, and about the residents asked for.
    assert 100 <= few[1] <= 150 and 5 * 100 <= many[1] <= 5 * 150
    assert 70 <= few[2] <= 130 and 5 * 240 <= many[2] <= 5 * 360
