"""Daily runs, enqueued by the workers themselves (an office PC has no cron).

settings.DANGJIAN_DAILY maps a name to (task path, local time "HH:MM", label). Every heartbeat a
worker asks whether a run is due today and not yet enqueued; the unique (name, day) row makes
the first worker to ask the only one to enqueue it, however many workers on however many
machines ask at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import DailyRun
from .services import job_enqueue

log = logging.getLogger(__name__)


def daily() -> dict[str, tuple[str, str, str]]:
    return getattr(settings, "DANGJIAN_DAILY", {})


def due_today(now: datetime | None = None) -> list[str]:
    """Names of the daily runs whose time has come today and that no worker has enqueued."""
    now = timezone.localtime(now)
    names = [name for name, (_, at, _) in daily().items() if now.time() >= time.fromisoformat(at)]
    if not names:
        return []
    done = set(DailyRun.objects.filter(day=now.date(), name__in=names).values_list("name", flat=True))
    return [n for n in names if n not in done]


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue today's due runs; returns the names this call enqueued."""
    today = timezone.localtime(now).date()
    enqueued = []
    for name in due_today(now):
        path, _, label = daily()[name]
        try:
            with transaction.atomic():
                run = DailyRun.objects.create(name=name, day=today)
                run.job = job_enqueue(import_string(path), kind=name, label=f"{label}（{today:%Y-%m-%d}）")
                run.save(update_fields=["job"])
        except IntegrityError:
            continue  # another worker was first
        log.info("已安排每日任务 %s（%s）", name, today)
        enqueued.append(name)
    return enqueued
