"""Factories shared by every app's tests."""

import random
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model

from dangjian.lib.idnumbers import make_id
from dangjian.members.choices import Category, Status
from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind, RoleAssignment

_rng = random.Random(7)


class OrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Org

    kind = OrgKind.BRANCH
    name = factory.Sequence(lambda n: f"测试党支部{n}")
    code = factory.Sequence(lambda n: f"T{n:04d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "test-pass-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role=("party_worker", org))"""
        if create and extracted:
            role, org = extracted
            RoleAssignment.objects.create(user=self, role=role, org=org)
        if create:
            self.save()


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    name = factory.Faker("name", locale="zh_CN")
    sex = "男"
    # Spread over 1940–2008 (a valid ID never has a future birth date, however many members a run makes).
    birth_date = factory.Sequence(lambda n: date(1940, 1, 1) + timedelta(days=(37 * n) % 25000))
    id_number = factory.LazyAttribute(lambda o: make_id(o.birth_date, o.sex, "370102", _rng))
    category = Category.RETIRED
    status = Status.FULL
    joined_on = date(1990, 7, 1)
    confirmed_on = date(1991, 7, 1)
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    address = "和平社区1号楼"
    org = factory.SubFactory(OrgFactory)

    @factory.post_generation
    def since(self, create, extracted, **kwargs):
        """MemberFactory(since=date(2023, 8, 15)): belongs to its org from that day (default: from
        its 入党 date, as a long-standing member). The intervals are written as the services do."""
        if create:
            from dangjian.members.services import member_intervals_build

            self.refresh_from_db()  # dates given as text become dates
            member_intervals_build(member=self, since=extracted)
