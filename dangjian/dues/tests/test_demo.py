"""The demo: every member assessed and paying from 2023-01, with arrears, prepayments and an exemption."""

import random
from datetime import date

import pytest
from faker import Faker

from dangjian.demo import DemoContext
from dangjian.dues import demo as dues_demo
from dangjian.dues.figures import for_period
from dangjian.dues.models import DuesBase, DuesEntry, DuesRelief
from dangjian.lib.periods import Period
from dangjian.members import demo as members_demo
from dangjian.orgs import demo as orgs_demo

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 20)


@pytest.fixture
def ctx():
    fake = Faker("zh_CN")
    fake.seed_instance(2023)
    context = DemoContext(seed=2023, rng=random.Random(2023), fake=fake, today=TODAY)
    context.n_communities = 2
    for app in (orgs_demo, members_demo, dues_demo):
        app.seed(context)
    return context


def test_it_assesses_every_current_member_from_2023_or_admission(ctx):
    members = [m for c in ctx.communities for m in c.members]
    first = {b.member_id: b.effective_month for b in DuesBase.objects.order_by("-effective_month")}
    assert set(first) == {m.pk for m in members}
    assert all(first[m.pk] == max(date(2023, 1, 1), m.joined_on.replace(day=1)) for m in members)


def test_it_shows_warnings_alarms_and_prepayments_in_every_community(ctx):
    for community in ctx.communities:
        f = for_period(community.org, Period.parse("2025"), asof=TODAY)
        assert f.warned.value >= 1 and f.alarmed.value >= 1
        assert f.prepaid.value > 0  # paid in January for April–June


def test_it_has_an_approved_exemption_a_reversal_and_a_large_payment_in_the_detailed_community(ctx):
    hp = ctx.communities[0].org
    relief = DuesRelief.objects.get(kind="exempt")
    assert relief.member.org.is_within(hp) and relief.approval_document
    assert DuesEntry.objects.filter(kind="reversal", org__path__startswith=hp.path).exists()
    big = DuesEntry.objects.standing().get(org__path__startswith=hp.path, allocations__kind="extra",
                                           allocations__amount=1000)
    assert big.paid_on == TODAY  # the demo's 七一 payment falls on 2025-07-01, after this demo's today
    f = for_period(hp, Period.parse("2024"), asof=date(2024, 12, 31))
    assert f.on_time_rate.value > 90


def test_it_keeps_each_members_entries_numbered_from_one(ctx):
    from collections import defaultdict

    seqs = defaultdict(list)
    for member_id, seq in DuesEntry.objects.order_by("member_id", "seq").values_list("member_id", "seq"):
        seqs[member_id].append(seq)
    assert all(s == list(range(1, len(s) + 1)) for s in seqs.values())


def test_it_keeps_the_summary_the_figures_read_as_the_ledger_service_does(ctx):
    from dangjian.dues.tests.test_paid import kept, rebuilt

    assert kept() == rebuilt()
    assert kept()[1]
