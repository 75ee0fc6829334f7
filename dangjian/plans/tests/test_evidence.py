"""Evidence links: a record anywhere in the system (checked against the user's scope) or an outside page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.plans import services
from dangjian.plans.models import EvidenceLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def item_a(plan_a):
    return plan_a.items.get()


def test_it_links_a_record_by_its_page_address(world, item_a):
    url = reverse("member_detail", args=[world.member_a.pk])
    link = services.evidence_add(owner=item_a, label="张三的记录", url=url, user=world.worker_a)
    assert link.target == world.member_a and link.url == url


def test_it_refuses_a_record_outside_the_users_scope(world, item_a):
    url = reverse("member_detail", args=[world.member_b.pk])
    with pytest.raises(ValidationError, match="管辖范围"):
        services.evidence_add(owner=item_a, label="李四", url=url, user=world.worker_a)


def test_it_links_a_record_given_as_an_object(world, item_a, problem_a):
    link = services.evidence_add(owner=item_a, label="整改问题", target=problem_a, user=world.worker_a)
    assert link.url == problem_a.get_absolute_url() and link.target == problem_a


def test_it_refuses_a_record_object_outside_the_scope(world, item_a, problem_b):
    with pytest.raises(ValidationError, match="管辖范围"):
        services.evidence_add(owner=item_a, label="别的支部", target=problem_b, user=world.worker_a)


def test_it_accepts_a_full_address_of_this_site(world, item_a):
    url = "http://testserver" + reverse("member_detail", args=[world.member_a.pk])
    link = services.evidence_add(owner=item_a, label="张三", url=url, user=world.worker_a, host="testserver")
    assert link.url.startswith("/members/") and link.target == world.member_a


def test_it_refuses_a_page_that_does_not_exist(world, item_a):
    with pytest.raises(ValidationError, match="没有这个页面"):
        services.evidence_add(owner=item_a, label="x", url="/nowhere/12/", user=world.worker_a)


def test_it_refuses_a_list_filtered_to_an_org_outside_the_scope(world, item_a):
    with pytest.raises(ValidationError, match="组织不在"):
        services.evidence_add(owner=item_a, label="x", url=f"/members/?org={world.branch_b.pk}", user=world.worker_a)


def test_it_accepts_an_outside_https_page(world, item_a):
    link = services.evidence_add(owner=item_a, label="学习资料", url="https://www.12371.cn/special/", user=world.worker_a)
    assert link.is_external and link.content_type is None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x/y", "members/1/"])
def test_it_refuses_other_kinds_of_link(world, item_a, url):
    with pytest.raises(ValidationError):
        services.evidence_add(owner=item_a, label="x", url=url, user=world.worker_a)


def test_it_adds_evidence_to_a_measure_through_the_page(world, client_for, problem_a):
    measure = problem_a.measures.get()
    url = reverse("plan_list")
    client_for(world.worker_a).post(reverse("measure_action", args=[measure.pk, "evidence"]), {"label": "计划页", "url": url})
    assert EvidenceLink.objects.get(measure=measure).url == url


def test_it_shows_the_refusal_on_the_page(world, client_for, item_a):
    url = reverse("member_detail", args=[world.member_b.pk])
    response = client_for(world.worker_a).post(reverse("plan_item_action", args=[item_a.pk, "evidence"]),
                                               {"label": "李四", "url": url}, follow=True)
    assert "管辖范围" in response.content.decode() and not EvidenceLink.objects.exists()


def test_it_uses_the_owning_apps_scope_helper_for_a_record_page(world, item_a, problem_a):
    link = services.evidence_add(owner=item_a, label="问题", url=reverse("problem_detail", args=[problem_a.pk]), user=world.worker_a)
    assert link.target == problem_a


def test_it_refuses_a_record_page_the_owning_app_hides_from_the_user(world, item_a, plan_b):
    url = reverse("plan_item_detail", args=[plan_b.items.get().pk])
    with pytest.raises(ValidationError, match="管辖范围"):
        services.evidence_add(owner=item_a, label="别的支部事项", url=url, user=world.worker_a)


def test_it_finds_a_record_by_its_url_name_without_a_user(world):
    from dangjian.plans.evidence import record_for_path

    assert record_for_path(reverse("member_detail", args=[world.member_b.pk])) == (True, world.member_b)
