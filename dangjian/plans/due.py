"""One thing with a deadline that a reminder names (the shape every reminder provider yields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models

from dangjian.orgs.models import Org


@dataclass(frozen=True)
class Due:
    """One thing with a deadline that is not done yet."""

    kind: str  # a short key: "measure", "milestone", "meeting", "survey" …
    kind_label: str  # "整改措施", "计划节点" … shown to the user
    obj: models.Model  # the record; the notification links to it
    due_on: date
    text: str
    org: Org | None = None  # whose party workers are told when nobody is named
    users: tuple[int, ...] = ()  # user ids named as responsible (owners)
    url: str = ""
    notify_org: bool = False  # tell the org's party workers even when users are named
