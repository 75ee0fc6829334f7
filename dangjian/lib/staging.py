"""A large import written in short transactions that stays all-or-nothing.

On SQLite one writer holds the database at a time: an import of 200,000 rows in one transaction
makes every web write wait for all of it (and fail "database is locked" after the busy
timeout). So a background import writes BATCH rows per transaction, and each row it creates
carries a marker — a foreign key to the import's job. The model's default manager
(`HiddenUntilImported`) hides marked rows until that job says it is done, so one write, the
job's status, makes all of them visible at once. Rows of an import that failed (or of a dry
run, or of a worker killed mid-import) are never seen, and `purge` deletes them a batch at a time
with their history rows. Changes to rows that already exist cannot be hidden this way; an import
stages them (grid.StagedChange) and applies them after its commit (grid.importing, members.importing).

Used by the self-study import (meetings), the residents register (grid), the roster (members: new
members hidden, changes to members on file staged; the task commits by marking its job done) and
payment lists (dues: entries hidden with their allocations).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.db import connection, models, transaction
from django.db.models import Q

# Rows written per transaction by a background import: a web write waits at most for one batch.
BATCH = 2000
# What a batch of an import whose rows cost more than an insert (a member's services, a payment
# allocated on its member's book) may hold the database for: its size follows from the last one's time.
BATCH_SECONDS = 0.5
# SQLite's busy handler lets a waiting writer look again every 100 ms at most, and it gets the
# database only if it is free when it looks: between two batches an import leaves it free this long.
PAUSE = 0.12


class HiddenUntilImported(models.Manager):
    """A default manager without the rows an unfinished (or failed) import is writing.

    `marker`: the foreign key to the import's job; `committed`: lookups on that job saying its
    rows are in. Related managers and Django's unique checks use it too; `_base_manager` (a
    foreign key followed from a row, the import itself) still sees every row."""

    marker: ClassVar[str] = "import_job"
    committed: ClassVar[dict[str, Any]] = {"status": "done"}

    def get_queryset(self):
        return super().get_queryset().filter(visible(self.marker, **self.committed))


class Pace:
    """Batches that each hold the database about `seconds`, however fast the machine is now: the
    next batch's size follows from the time the last one took (growing at most twofold), and
    between two batches the database is left free for PAUSE, so that on SQLite the writers
    waiting meanwhile get in before the next batch (PostgreSQL locks rows: no pause there).

        pace = Pace()
        while rows := next_rows(pace.size):
            with pace.batch(len(rows)), transaction.atomic():
                write(rows)
    """

    def __init__(self, first: int = 100, most: int = BATCH, seconds: float = BATCH_SECONDS):
        self.size, self.most, self.seconds = first, most, seconds
        self._ended: float | None = None

    @contextmanager
    def batch(self, rows: int) -> Iterator[None]:
        if self._ended is not None and connection.vendor == "sqlite":
            time.sleep(max(0.0, PAUSE - (time.monotonic() - self._ended)))
        started = time.monotonic()
        yield
        self._ended = time.monotonic()
        took = max(self._ended - started, 0.001)
        self.size = max(1, min(self.most, 2 * rows, int(rows * self.seconds / took)))


def visible(marker: str, **committed: Any) -> Q:
    """Rows no import wrote, or whose import has committed."""
    return Q(**{f"{marker}__isnull": True}) | Q(**{f"{marker}__{name}": value for name, value in committed.items()})


def purge(model: type[models.Model], rows: models.QuerySet) -> int:
    """Delete `rows` (hidden rows no one ever saw) BATCH at a time, each batch with its history
    rows, by raw deletes: no signals, no "-" history rows for rows that never existed for anyone."""
    history = getattr(model, "history", None)
    purged = 0
    while ids := list(rows.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            if history is not None:
                history.filter(id__in=ids)._raw_delete(connection.alias)
            purged += model._base_manager.filter(pk__in=ids)._raw_delete(connection.alias)
    return purged
