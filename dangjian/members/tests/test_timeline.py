"""How intervals are read from the records of members entered before intervals existed (the data
migration, a first roster "from their 入党 dates", the factories)."""

from datetime import date

from dangjian.members.choices import Flag, Since, Status
from dangjian.members.timeline import Record, Span, flags, memberships, statuses

LONG_STANDING = Record(org_id=1, joined_on=date(1990, 7, 1), confirmed_on=date(1991, 7, 1), status=Status.FULL)


def test_it_starts_a_long_standing_membership_on_the_joining_date():
    assert memberships(LONG_STANDING, []) == [Span(date(1990, 7, 1), None, 1, Since.JOINED)]


def test_it_starts_it_on_the_transfer_in_when_there_is_one():
    assert memberships(LONG_STANDING, [("转入", date(2023, 8, 15))]) == [Span(date(2023, 8, 15), None, 1, Since.TRANSFER_IN)]


def test_it_ends_it_on_the_day_of_leaving_and_reopens_it_on_a_return():
    got = memberships(LONG_STANDING, [("转出", date(2022, 9, 15)), ("转入", date(2023, 3, 1))])
    assert got == [Span(date(1990, 7, 1), date(2022, 9, 15), 1, Since.JOINED, Since.TRANSFER_OUT),
                   Span(date(2023, 3, 1), None, 1, Since.TRANSFER_IN)]


def test_it_ends_it_on_the_archive_date_when_no_event_was_recorded():
    died = Record(org_id=1, joined_on=date(1960, 7, 1), confirmed_on=date(1961, 7, 1), status=Status.FULL,
                  archived_on=date(2022, 3, 8), archive_reason="去世")
    assert memberships(died, []) == [Span(date(1960, 7, 1), date(2022, 3, 8), 1, Since.JOINED, Since.DEATH)]


def test_it_splits_it_where_the_roster_history_shows_a_move():
    got = memberships(LONG_STANDING, [], org_changes=[(date(2020, 1, 1), 1), (date(2023, 7, 15), 2)])
    assert got == [Span(date(1990, 7, 1), date(2023, 7, 15), 1, Since.JOINED, Since.MOVED),
                   Span(date(2023, 7, 15), None, 2, Since.MOVED)]


def test_it_reads_probation_from_joining_to_confirmation():
    assert statuses(LONG_STANDING) == [Span(date(1990, 7, 1), date(1991, 7, 1), Status.PROBATIONARY),
                                       Span(date(1991, 7, 1), None, Status.FULL)]


def test_it_reads_a_full_member_without_a_confirmation_date_as_full_all_along():
    record = Record(org_id=1, joined_on=None, confirmed_on=None, status=Status.FULL)
    assert statuses(record) == [Span(None, None, Status.FULL)]


def test_it_reads_mobility_from_each_departure_to_the_return_and_from_mobile_since():
    record = Record(org_id=1, joined_on=None, confirmed_on=None, status=Status.FULL, is_mobile=True,
                    mobile_since=date(2023, 5, 1))
    got = flags(record, [("外出", date(2021, 3, 1)), ("返回", date(2022, 1, 1))])
    assert got == [Span(date(2021, 3, 1), date(2022, 1, 1), Flag.MOBILE), Span(date(2023, 5, 1), None, Flag.MOBILE)]
