"""Twenty confirmations of one roster preview at the same moment: one import, no 500."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.members.models import Member
from dangjian.testing.concurrency import run_together

from .test_import import messy_roster

pytestmark = pytest.mark.django_db


def test_it_imports_a_preview_confirmed_twenty_times_at_once_exactly_once(world, client_for, concurrent_db):
    upload = io.BytesIO(messy_roster())
    upload.name = "花名册.xlsx"
    token = client_for(world.worker).post(reverse("member_import"), {"file": upload, "org": world.community.pk}).context["token"]
    before = Member.objects.count()

    def confirm(_):
        client = Client()
        client.force_login(world.worker)
        return client.post(reverse("member_import"), {"token": token, "org": world.community.pk}).status_code

    statuses = run_together(20, confirm)
    assert sorted(statuses) == [200] + [302] * 19
    assert Member.objects.count() == before + 3


def test_it_says_in_chinese_that_a_preview_was_already_confirmed(world, client_for):
    client = client_for(world.worker)
    upload = io.BytesIO(messy_roster())
    upload.name = "花名册.xlsx"
    token = client.post(reverse("member_import"), {"file": upload, "org": world.community.pk}).context["token"]
    client.post(reverse("member_import"), {"token": token, "org": world.community.pk})
    again = client.post(reverse("member_import"), {"token": token, "org": world.community.pk}, follow=True)
    assert again.status_code == 200 and "已经确认导入" in again.content.decode()
