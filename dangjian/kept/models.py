"""Kept drawings: the part of a page that sums a whole org's records for a period (the dashboard's
panels, the compliance and reach tables), drawn once and read by every visit.

A district's dashboard sums the records of tens of thousands of members (tens of seconds of work);
no page can compute that per visit. The worker draws it, the page reads it with the time it was
drawn, and a change to the records marks the drawings it touches as out of date (kept/keeping.py).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Org


class Drawing(models.Model):
    kind = models.CharField(_("页面"), max_length=40)
    org = models.ForeignKey(Org, models.CASCADE, related_name="+", verbose_name=_("组织"))
    period = models.CharField(_("期间"), max_length=10)
    language = models.CharField(max_length=10)
    html = models.TextField()
    built_at = models.DateTimeField(_("汇总时间"))
    build_ms = models.PositiveIntegerField(_("汇总用时（毫秒）"), default=0)
    # The latest change to the records it draws: at or after built_at, the drawing is out of date.
    changed_at = models.DateTimeField(null=True, blank=True)
    # When a redrawing was queued for the worker: one at a time, however many visits see it stale.
    queued_at = models.DateTimeField(null=True, blank=True)
    # The code that drew it (kept.code.fingerprint()): after an upgrade, drawings are redrawn.
    code = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("汇总页")
        verbose_name_plural = _("汇总页")
        constraints = [models.UniqueConstraint(fields=["kind", "org", "period", "language"], name="kept_drawing_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.org_id} {self.period} {self.built_at:%Y-%m-%d %H:%M}"

    def is_out_of_date(self, now=None) -> bool:
        """Changed since drawn, drawn before today (figures such as "overdue" move with the date), or
        drawn by other code (an upgrade may change a figure or its page)."""
        from .code import fingerprint

        now = now or timezone.now()
        return ((self.changed_at is not None and self.changed_at >= self.built_at)
                or timezone.localdate(self.built_at) < timezone.localdate(now) or self.code != fingerprint())

    @property
    def built_key(self) -> str:
        """What the page sends back when it asks whether a newer drawing is kept."""
        return f"{self.built_at.timestamp():.6f}"
