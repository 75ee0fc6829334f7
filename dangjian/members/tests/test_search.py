import pytest
from django.urls import reverse

from dangjian.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def names(client, **params):
    return sorted(m.name for m in client.get(reverse("member_list"), params).context["page"])


def test_it_finds_by_pinyin_initials(world, client_for):
    assert names(client_for(world.secretary), q="zs") == ["张三"]


def test_it_finds_by_full_pinyin_and_name(world, client_for):
    client = client_for(world.secretary)
    assert names(client, q="lisi") == ["李四"] and names(client, q="李") == ["李四"]


def test_it_finds_by_phone_tail(world, client_for):
    assert names(client_for(world.secretary), q="5678") == ["张三"]


def test_it_filters_by_branch_including_its_groups(world, client_for):
    assert names(client_for(world.secretary), org=world.branch_a.pk) == ["张三"]


def test_it_filters_by_status_category_and_flags(world, client_for):
    MemberFactory(name="预备甲", org=world.branch_a, status="预备", confirmed_on=None, category="在职", is_mobile=True)
    client = client_for(world.secretary)
    assert names(client, status="预备") == ["预备甲"]
    assert names(client, category="在职") == ["预备甲"]
    assert names(client, flag="mobile") == ["预备甲"]


def test_it_paginates(world, client_for):
    MemberFactory.create_batch(55, org=world.branch_b)
    page = client_for(world.secretary).get(reverse("member_list")).context["page"]
    assert (len(page), page.paginator.count) == (50, 57)


def test_it_finds_by_a_whole_id_number_through_the_hash(world, client_for):
    assert names(client_for(world.secretary), q=world.member_b.id_number) == ["李四"]
