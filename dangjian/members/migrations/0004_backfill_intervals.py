"""Intervals for the members recorded before intervals existed, read from their 入党/转正/归档
dates, their life events and the roster's change history (members.timeline); on PostgreSQL,
exclusion constraints that refuse overlapping intervals of one member."""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

from dangjian.members import timeline

EXCLUSIONS = [
    ("members_membership", "membership_no_overlap", "member_id WITH ="),
    ("members_statusinterval", "status_interval_no_overlap", "member_id WITH ="),
    ("members_flaginterval", "flag_interval_no_overlap", "member_id WITH =, flag WITH ="),
]


def backfill(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    HistoricalMember = apps.get_model("members", "HistoricalMember")
    MemberEvent = apps.get_model("members", "MemberEvent")
    Membership = apps.get_model("members", "Membership")
    StatusInterval = apps.get_model("members", "StatusInterval")
    FlagInterval = apps.get_model("members", "FlagInterval")
    done = set(Membership.objects.values_list("member_id", flat=True))
    events = defaultdict(list)
    for mid, kind, on in MemberEvent.objects.values_list("member_id", "kind", "on"):
        events[mid].append((kind, on))
    changes = defaultdict(list)
    for mid, org_id, when in HistoricalMember.objects.order_by("id", "history_date", "history_id").values_list(
            "id", "org_id", "history_date"):
        if not changes[mid] or changes[mid][-1][1] != org_id:
            changes[mid].append((timezone.localtime(when).date(), org_id))
    memberships, statuses, flags = [], [], []
    for m in Member.objects.exclude(pk__in=done).iterator():
        record = timeline.Record(org_id=m.org_id, joined_on=m.joined_on, confirmed_on=m.confirmed_on, status=m.status,
                                 archived_on=m.archived_on, archive_reason=m.archive_reason, is_mobile=m.is_mobile,
                                 mobile_since=m.mobile_since, is_infirm=m.is_infirm)
        orgs = changes.get(m.pk, [])
        memberships += [Membership(member_id=m.pk, org_id=s.value, started_on=s.start, ended_on=s.end,
                                   start_reason=s.start_reason, end_reason=s.end_reason)
                        for s in timeline.memberships(record, events.get(m.pk, ()), org_changes=orgs if len(orgs) > 1 else ())]
        statuses += [StatusInterval(member_id=m.pk, status=s.value, started_on=s.start, ended_on=s.end)
                     for s in timeline.statuses(record)]
        flags += [FlagInterval(member_id=m.pk, flag=s.value, started_on=s.start, ended_on=s.end)
                  for s in timeline.flags(record, events.get(m.pk, ()))]
    Membership.objects.bulk_create(memberships, batch_size=1000)
    StatusInterval.objects.bulk_create(statuses, batch_size=1000)
    FlagInterval.objects.bulk_create(flags, batch_size=1000)


def add_exclusions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite cannot express it; the services refuse overlaps before writing
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table, name, keys in EXCLUSIONS:
        schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist "
                              f"({keys}, daterange(started_on, ended_on, '[)') WITH &&)")


def drop_exclusions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, _ in EXCLUSIONS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0003_intervals"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(add_exclusions, drop_exclusions),
    ]
