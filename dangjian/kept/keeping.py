"""Kept drawings: drawn once per kind, org, period and language, read by every visit, redrawn when
the records under them change.

- An app registers what it keeps (`register(kind, draw)`; draw(org, period) -> HTML): the same
  code a live page ran, so a kept figure is the figure the app computes. A drawing is made in the
  request when none is kept yet (or no worker is alive to make it), otherwise by the worker
  (`tasks.redraw`).
- A change marks drawings out of date (`mark_changed`): an org's change concerns the org, its
  subtree and its ancestors (a street's figures sum its communities'). Changes are seen three ways:
  a request that wrote records marks the orgs of its user's roles (one UPDATE when the response
  leaves; bulk writes included, which send no model signals); a record saved or deleted outside a
  request (the worker, a command) marks everything; an import's commit names its org
  (`dangjian.lib.changes.records_changed`).
- A visit to an out-of-date drawing shows it with the time it was drawn and queues one redrawing;
  the page asks every few seconds whether a newer one is kept and reloads when it is. A drawing is
  redrawn at most once per REDRAW_SPACING × the time it took (a district's 20 s dashboard at most
  every few minutes: a busy district keeps a worker busy ~10 % of the time, not all of it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation

from dangjian.lib.changes import records_changed
from dangjian.lib.periods import Period
from dangjian.orgs.models import PATH_STEP, Org

from .code import fingerprint
from .models import Drawing

# The apps whose records are drawn, and their models no drawing reads: logs, accounts, staged
# import rows (an import's commit says so itself), the kept dues summary (itself derived).
RECORD_APPS = {"orgs", "members", "meetings", "dues", "grid", "plans", "recruitment", "reports"}
NOT_DRAWN = {"orgs.accesslog", "orgs.accountlog", "orgs.roleassignment", "meetings.calendarfeed",
             "dues.duesposting", "dues.duespaidrun", "grid.stagedchange", "grid.importjob",
             "plans.notification"}
REDRAW_SPACING = 10
REQUEUE_AFTER = timedelta(minutes=10)  # a queued redrawing whose worker died is queued again

Draw = Callable[[Org, Period], str]
DRAWERS: dict[str, Draw] = {}

_local = threading.local()


def register(kind: str, draw: Draw) -> None:
    DRAWERS[kind] = draw


def build(kind: str, org: Org, period: Period, language: str) -> Drawing:
    """Draw and keep. The drawing is dated from its start: a change marked while it drew leaves it
    out of date (it may have missed the change)."""
    started = timezone.now()
    clock = time.perf_counter()
    with translation.override(language), quiet():
        html = DRAWERS[kind](org, period)
    took = round((time.perf_counter() - clock) * 1000)
    key = {"kind": kind, "org": org, "period": str(period), "language": language}
    with transaction.atomic(), quiet():
        row = Drawing.objects.select_for_update().filter(**key).first()
        if row is None:
            return Drawing.objects.create(**key, html=html, built_at=started, build_ms=took, code=fingerprint())
        row.html, row.built_at, row.build_ms, row.queued_at, row.code = html, started, took, None, fingerprint()
        row.save(update_fields=["html", "built_at", "build_ms", "queued_at", "code"])
        row.org = org
        return row


def read(kind: str, org: Org, period: Period) -> Drawing:
    """What a visit shows: the kept drawing, drawn now if there is none. Out of date, it is queued
    for a worker and shown meanwhile — or, with no worker alive to redraw it, redrawn now."""
    language = translation.get_language()
    row = Drawing.objects.filter(kind=kind, org=org, period=str(period), language=language).first()
    if row is None:
        return build(kind, org, period, language)
    row.org = org
    if not row.is_out_of_date():
        return row
    if not worker_alive():
        return build(kind, org, period, language)
    queue(row)
    return row


def worker_alive() -> bool:
    from dangjian.jobs.lease import lease
    from dangjian.jobs.models import WorkerProcess

    return WorkerProcess.objects.filter(stopped_at__isnull=True, beat_at__gte=timezone.now() - lease()).exists()


def redraw_due(row: Drawing):
    """The earliest time a drawing may be redrawn: its last drawing plus REDRAW_SPACING times its cost."""
    return row.built_at + timedelta(milliseconds=row.build_ms * REDRAW_SPACING)


def queue(row: Drawing) -> bool:
    """Queue one redrawing (the UPDATE claims it: of many visits at once, one queues)."""
    from .tasks import redraw

    now = timezone.now()
    due = redraw_due(row)
    if row.queued_at is not None and max(row.queued_at, due) >= now - REQUEUE_AFTER:
        return False  # queued, and its worker has not had long enough to be thought lost
    with quiet():
        claimed = Drawing.objects.filter(pk=row.pk, queued_at=row.queued_at).update(queued_at=now)
    if not claimed:
        return False
    row.queued_at = now
    redraw.using(run_after=due if due > now else None).enqueue(drawing_id=row.pk)
    return True


# -- marking ---------------------------------------------------------------------------------------


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(PATH_STEP + 1, len(path) + 1, PATH_STEP + 1)]


def mark_changed(orgs: list[Org] | None) -> int:
    """Mark out of date the drawings of these orgs, their subtrees and their ancestors (None: all)."""
    rows = Drawing.objects.all()
    if orgs is not None:
        if not orgs:
            return 0
        where = Q()
        for org in orgs:
            where |= Q(org__path__startswith=org.path) | Q(org__path__in=_ancestor_paths(org.path))
        rows = rows.filter(where)
    return rows.update(changed_at=timezone.now())


@contextmanager
def quiet():
    """Saves inside (a drawing being drawn, the kept rows themselves) mark nothing."""
    _local.quiet = getattr(_local, "quiet", 0) + 1
    try:
        yield
    finally:
        _local.quiet -= 1


def _is_record(sender) -> bool:
    if sender.__module__ == "__fake__":
        return False  # a migration's historical model: no drawing exists to mark, maybe no table
    meta = sender._meta
    return (meta.app_label in RECORD_APPS and meta.label_lower not in NOT_DRAWN
            and not meta.object_name.startswith("Historical"))


def _on_change(sender, **kwargs) -> None:
    if getattr(_local, "quiet", 0) or not _is_record(sender):
        return
    seen = getattr(_local, "request", None)
    if seen is not None:
        seen.append(sender)  # the request marks its user's orgs once, when it ends
    else:
        mark_changed(None)


def _on_records_changed(sender, org: Org | None = None, **kwargs) -> None:
    mark_changed(None if org is None else [org])


post_save.connect(_on_change, dispatch_uid="kept_drawing_save")
post_delete.connect(_on_change, dispatch_uid="kept_drawing_delete")
records_changed.connect(_on_records_changed, dispatch_uid="kept_drawing_records")

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class MarkChangesMiddleware:
    """A request that wrote records marks the drawings of its user's orgs, once, as it ends: when a
    record model was saved or deleted, or when a view of a record app answered a write without an
    error (bulk writes send no signals)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        outer = getattr(_local, "request", None)
        _local.request = seen = []
        try:
            response = self.get_response(request)
        finally:
            _local.request = outer
        wrote = request.method in UNSAFE and response.status_code < 400 and _record_view(request)
        if seen or wrote:
            mark_changed(_orgs_of(request.user))
        return response


# Views of record apps that write no record: signing in and out, one's password, accounts and roles.
NOT_RECORD_VIEWS = {"login", "logout", "password_change", "account_list", "account_new", "account_detail",
                    "account_action"}


def _record_view(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name in NOT_RECORD_VIEWS:
        return False
    parts = getattr(match.func, "__module__", "").split(".")
    return len(parts) > 1 and parts[0] == "dangjian" and parts[1] in RECORD_APPS


def _orgs_of(user) -> list[Org] | None:
    """The orgs of every role the user holds (None, i.e. everything, for a superuser or a user
    without roles — the admin site, a command — whose writes may touch any org)."""
    from dangjian.orgs.scoping import scope_of

    if not user.is_authenticated:
        return None
    scope = scope_of(user)
    if scope.everything:
        return None
    roots = scope.roots(roles=tuple(scope.roots_by_role))
    return roots or None
