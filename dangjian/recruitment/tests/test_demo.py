"""The demo holds people at every stage, one overdue talk, one probation ending this quarter, and
the roster's 预备党员 tracked to their 转正."""

from datetime import date

import pytest

from dangjian.demo import build
from dangjian.lib.periods import Period
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.recruitment.board import board_for
from dangjian.recruitment.choices import Stage

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


@pytest.fixture
def board():
    ctx = build(seed=2023, communities=1, today=TODAY, apps=["orgs", "members", "recruitment"], log=lambda *_: None)
    return board_for(Org.objects.get(pk=ctx.communities[0].org.pk), TODAY)


def test_it_has_people_in_every_stage(board):
    assert all(c.tracks for c in board.columns) and [c.stage for c in board.columns] == list(Stage)


def test_it_has_exactly_one_overdue_talk(board):
    assert [d.key for t in board.tracks for d in t.overdue] == ["talk"]


def test_it_has_a_probation_ending_this_quarter(board):
    quarter = Period.of(TODAY, "quarter")
    assert any(quarter.contains(t.applicant.probation_ends_on) for t in board.tracks if t.applicant.probation_ends_on)


def test_it_tracks_every_probationer_on_the_roll(board):
    assert not board.untracked
    assert not Member.objects.current().filter(status="预备", recruitment__isnull=True).exists()


def test_it_has_a_transfer_out_waiting_for_its_receipt(board):
    from dangjian.recruitment.transfers import receipts_pending

    pending = receipts_pending(org=board.org)
    assert len(pending) == 1 and pending[0][0].receipt_on is None
