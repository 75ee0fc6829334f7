"""Reminders: what is due within N working days or overdue, for every user, as notifications.

A provider is `provider(today, horizon) -> Iterable[Due]`: everything not yet done whose deadline
is on or before `horizon` (overdue ones included). PROVIDERS lists them all: this app's milestones,
items and measures, planned meetings (dangjian.meetings), survey campaigns (dangjian.grid) and
the steps of people on the way into the party (dangjian.recruitment), read through plain imports (those apps sit above plans in DESIGN.md's list, and are always
installed).

`run(today)` is idempotent per day: a notification exists at most once per (user, kind, object,
deadline, stage); running again the same day creates nothing new, a thing that turns overdue gets
one new "已逾期" notification, and notifications of things no longer due are resolved.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from dangjian.grid.models import Campaign, GridAssignment
from dangjian.grid.progress import campaigns_completion
from dangjian.lib.workdays import WorkCalendar
from dangjian.meetings.models import Activity
from dangjian.orgs.models import RECORD_ROLES, RoleAssignment
from dangjian.recruitment.reminders import due as recruitment_due

from .choices import Stage
from .due import Due
from .evidence import record_url
from .models import Measure, Milestone, Notification, PlanItem

DEFAULT_DAYS = 3


Provider = Callable[[date, date], Iterable[Due]]


def remind_days() -> int:
    """N in "due within N working days": settings.DANGJIAN_REMIND_DAYS or the environment, default 3."""
    value = getattr(settings, "DANGJIAN_REMIND_DAYS", None) or os.environ.get("DANGJIAN_REMIND_DAYS") or DEFAULT_DAYS
    return int(value)


# ---------------------------------------------------------------------------------------------
# The providers


def milestones_due(today: date, horizon: date) -> Iterable[Due]:
    qs = (Milestone.objects.open().filter(deadline__lte=horizon)
          .select_related("item__plan__org").order_by("deadline", "pk"))
    for m in qs:
        item = m.item
        yield Due("milestone", "计划节点", m, m.deadline, f"“{item.title}”的时间节点：{m.title}",
                  org=item.plan.org, users=(item.owner_user_id,) if item.owner_user_id else (),
                  url=m.get_absolute_url())


def items_due(today: date, horizon: date) -> Iterable[Due]:
    qs = PlanItem.objects.open().filter(deadline__lte=horizon).select_related("plan__org").order_by("deadline", "pk")
    for item in qs:
        yield Due("plan_item", "计划事项", item, item.deadline, f"{item.plan.title}：{item.title}",
                  org=item.plan.org, users=(item.owner_user_id,) if item.owner_user_id else (),
                  url=item.get_absolute_url())


def measures_due(today: date, horizon: date) -> Iterable[Due]:
    qs = Measure.objects.open().filter(deadline__lte=horizon).select_related("problem__org").order_by("deadline", "pk")
    for m in qs:
        yield Due("measure", "整改措施", m, m.deadline, f"整改措施：{m.title}（问题：{m.problem.title}）",
                  org=m.problem.org, users=(m.owner_user_id,) if m.owner_user_id else (),
                  url=m.get_absolute_url())


def planned_meetings_due(today: date, horizon: date) -> Iterable[Due]:
    """dangjian.meetings: activities planned (planned_on) and not yet recorded as held."""
    rows = (Activity.objects.filter(held_on__isnull=True, planned_on__isnull=False, planned_on__lte=horizon)
            .select_related("org").order_by("planned_on", "pk"))
    for a in rows:
        title = a.topic or str(a)
        yield Due("meeting", "计划活动", a, a.planned_on, f"计划开展：{title}", org=a.org, url=record_url(a))


def survey_campaigns_due(today: date, horizon: date) -> Iterable[Due]:
    """dangjian.grid: open survey campaigns whose deadline is near and households remain; the
    grid workers of its grids and the community's party workers are told."""
    rows = list(Campaign.objects.filter(starts_on__lte=today, deadline__gte=today, deadline__lte=horizon)
                .select_related("community").order_by("deadline", "pk"))
    workers: dict[int, set[int]] = defaultdict(set)
    for campaign_id, user_id in (GridAssignment.objects.filter(grid__campaigns__in=rows, started_on__lte=today)
                                 .filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=today))
                                 .values_list("grid__campaigns", "user_id")):
        workers[campaign_id].add(user_id)
    pending = {pk: p.pending for pk, p in campaigns_completion(rows).items()}
    for c in rows:
        if not pending.get(c.pk):
            continue
        left = f"，尚有{pending[c.pk]}户未摸排"
        yield Due("survey", "摸排任务", c, c.deadline, f"摸排任务“{c.name}”{left}", org=c.community,
                  users=tuple(sorted(workers[c.pk])), notify_org=True, url=record_url(c))


PROVIDERS: tuple[Provider, ...] = (milestones_due, items_due, measures_due, planned_meetings_due, survey_campaigns_due,
                                   recruitment_due)


# ---------------------------------------------------------------------------------------------
# Who is told


class Recipients:
    """Owners named on the record, else the party workers of the nearest org (itself, then up
    the tree) that has any — so a branch's things go to the branch, not to the whole street."""

    def __init__(self) -> None:
        self._by_org: dict[int, set[int]] = defaultdict(set)
        for org_id, user_id in RoleAssignment.objects.filter(role__in=RECORD_ROLES).values_list("org_id", "user_id"):
            self._by_org[org_id].add(user_id)

    def for_due(self, due: Due) -> set[int]:
        users = {u for u in due.users if u}
        if (users and not due.notify_org) or due.org is None:
            return users
        for org_id in reversed([int(p) for p in due.org.path.strip(".").split(".")]):
            if self._by_org.get(org_id):
                return users | self._by_org[org_id]
        return users


# ---------------------------------------------------------------------------------------------
# The run


@dataclass
class RunResult:
    today: date
    horizon: date
    days: int
    due: int = 0
    created: int = 0
    resolved: int = 0
    by_kind: Counter = field(default_factory=Counter)
    users: int = 0
    calendar_known: bool = True

    def as_json(self) -> dict:
        return {"today": self.today.isoformat(), "horizon": self.horizon.isoformat(), "days": self.days,
                "due": self.due, "created": self.created, "resolved": self.resolved,
                "by_kind": dict(self.by_kind), "users": self.users, "calendar_known": self.calendar_known}


def collect(today: date, horizon: date) -> list[Due]:
    items: list[Due] = []
    for provider in PROVIDERS:
        items.extend(provider(today, horizon))
    return items


@transaction.atomic
def run(today: date | None = None, days: int | None = None) -> RunResult:
    """Create the notifications due today and resolve the ones no longer due."""
    from dangjian.lib.workdays import covers

    today = today or timezone.localdate()
    days = remind_days() if days is None else days
    calendar = WorkCalendar()
    horizon = calendar.add_working_days(today, days)
    result = RunResult(today=today, horizon=horizon, days=days, calendar_known=covers(horizon))
    recipients = Recipients()
    wanted: dict[tuple, tuple[Due, str]] = {}
    ct_cache: dict[type, ContentType] = {}
    for due in collect(today, horizon):
        model = type(due.obj)
        ct = ct_cache.get(model) or ct_cache.setdefault(model, ContentType.objects.get_for_model(model))
        stage = Stage.OVERDUE if due.due_on < today else Stage.DUE_SOON
        result.due += 1
        result.by_kind[due.kind] += 1
        for user_id in recipients.for_due(due):
            wanted[(user_id, due.kind, ct.pk, str(due.obj.pk), due.due_on, stage)] = (due, stage)

    keys = ("user_id", "kind", "content_type_id", "object_id", "due_on", "stage")
    earliest = min((key[4] for key in wanted), default=today)
    existing: dict[tuple, tuple[int, bool]] = {
        tuple(row[1:]): (row[0], resolved is not None)
        for *row, resolved in Notification.objects.filter(
            models.Q(resolved_at__isnull=True) | models.Q(due_on__gte=earliest)).values_list("pk", *keys, "resolved_at")
    }
    now = timezone.now()
    stale = [pk for key, (pk, resolved) in existing.items() if not resolved and key not in wanted]
    if stale:
        result.resolved = Notification.objects.filter(pk__in=stale).update(resolved_at=now)
    # Due again (an item taken back up): the same notification comes back rather than a copy.
    revived = [pk for key, (pk, resolved) in existing.items() if resolved and key in wanted]
    if revived:
        Notification.objects.filter(pk__in=revived).update(resolved_at=None)
    new = [
        Notification(user_id=key[0], kind=due.kind, kind_label=due.kind_label, stage=stage,
                     content_type_id=key[2], object_id=key[3], org=due.org, url=due.url[:300], due_on=due.due_on,
                     text=due.text[:300], created_on=today)
        for key, (due, stage) in wanted.items() if key not in existing
    ]
    Notification.objects.bulk_create(new, batch_size=500)
    result.created = len(new)
    result.users = len({key[0] for key in wanted})
    return result


def resolve_for(obj: models.Model) -> int:
    """The thing is done: its open notifications disappear from every inbox."""
    return Notification.objects.pending().for_object(obj).update(resolved_at=timezone.now())
