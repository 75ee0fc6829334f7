"""Survey progress: households done / total, residents registered and changes found, per campaign,
grid and worker, and the households not yet done. A fixed number of grouped queries per call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from .models import Campaign, Grid, GridAssignment, GridSettings, Household, Resident, Visit


@dataclass
class Progress:
    """One line of progress: a campaign, a grid or a worker."""

    key: int | None
    label: str
    total: int = 0
    done: int = 0
    revisit: int = 0  # visited, but only 无人在家/拒绝 so far
    residents: int = 0
    changes: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def pending(self) -> int:
        return max(self.total - self.done, 0)

    def as_json(self) -> dict:
        return {"id": self.key, "name": self.label, "households_total": self.total, "households_done": self.done,
                "households_pending": self.pending, "households_revisit": self.revisit, "percent": self.percent,
                "residents_registered": self.residents, "changes_found": self.changes}


@dataclass
class CampaignProgress:
    campaign: Campaign
    overall: Progress
    by_grid: list[Progress] = field(default_factory=list)
    by_worker: list[Progress] = field(default_factory=list)

    def as_json(self) -> dict:
        c = self.campaign
        return {"campaign": c.name, "community": c.community.name, "starts_on": c.starts_on.isoformat(),
                "deadline": c.deadline.isoformat(), **self.overall.as_json(),
                "by_grid": [p.as_json() for p in self.by_grid], "by_worker": [p.as_json() for p in self.by_worker]}


def done_visits(campaign_ids: Iterable[int]):
    return Visit.objects.filter(campaign__in=list(campaign_ids), result__in=GridSettings.objects.rules().done_results)


def campaign_progress(campaign: Campaign, grids: Iterable[Grid] | None = None) -> CampaignProgress:
    """Progress of one campaign, limited to `grids` (a 网格员's own) when given.

    The campaign's households and visits are read once each and counted here: a campaign covers
    one community (a few thousand households), and the grouped joins of visits to households this
    replaced let PostgreSQL walk every household of a city's register for each figure."""
    all_grids = list(campaign.grids.order_by("sort", "pk"))
    if grids is not None:
        allowed = {g.pk for g in grids}
        all_grids = [g for g in all_grids if g.pk in allowed]
    gids = [g.pk for g in all_grids]
    done_results = GridSettings.objects.rules().done_results
    grid_of = dict(Household.objects.filter(grid__in=gids).order_by().values_list("pk", "grid"))
    visits = [v for v in Visit.objects.filter(campaign=campaign).values_list("household", "worker", "result", "changes_count")
              if v[0] in grid_of]
    done_households = {h for h, _, result, _ in visits if result in done_results}
    residents_of = dict(Resident.objects.current().filter(household__in=sorted(done_households))
                        .values_list("household").annotate(n=Count("pk")).order_by())

    totals: dict[int, int] = defaultdict(int)
    for grid_id in grid_of.values():
        totals[grid_id] += 1
    grid_line, worker_line = _Tally(), _Tally()
    for household, worker, result, changes in visits:
        for tally, key in ((grid_line, grid_of[household]), (worker_line, worker)):
            tally.visited[key].add(household)
            tally.changes[key] += changes
            if result in done_results:
                tally.done[key].add(household)

    def residents(households) -> int:
        return sum(residents_of.get(h, 0) for h in households)

    by_grid = [Progress(g.pk, g.name, totals[g.pk], len(grid_line.done[g.pk]),
                        len(grid_line.visited[g.pk] - grid_line.done[g.pk]), residents(grid_line.done[g.pk]),
                        grid_line.changes[g.pk]) for g in all_grids]
    overall = Progress(campaign.pk, campaign.name, sum(p.total for p in by_grid), sum(p.done for p in by_grid),
                       sum(p.revisit for p in by_grid), sum(p.residents for p in by_grid), sum(p.changes for p in by_grid))

    # Workers: everyone who recorded a visit, plus the grids' workers during the campaign.
    assigned = (GridAssignment.objects.filter(grid__in=gids, started_on__lte=campaign.deadline)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=campaign.starts_on)))
    total_by_worker: dict[int, int] = defaultdict(int)
    for user_id, grid_id in assigned.values_list("user", "grid").distinct():
        total_by_worker[user_id] += totals.get(grid_id, 0)
    worker_ids = set(total_by_worker) | {w for w in worker_line.visited if w}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=worker_ids)}
    by_worker = sorted(
        (Progress(uid, users[uid].get_full_name() or users[uid].username, total_by_worker.get(uid, 0),
                  len(worker_line.done[uid]), len(worker_line.visited[uid] - worker_line.done[uid]),
                  residents(worker_line.done[uid]), worker_line.changes[uid]) for uid in worker_ids if uid in users),
        key=lambda p: (-p.done, p.label),
    )
    return CampaignProgress(campaign, overall, by_grid, by_worker)


class _Tally:
    """Households visited and done, and changes found, per grid or per worker."""

    def __init__(self) -> None:
        self.visited: dict[int | None, set[int]] = defaultdict(set)
        self.done: dict[int | None, set[int]] = defaultdict(set)
        self.changes: dict[int | None, int] = defaultdict(int)


def campaigns_completion(campaigns: Iterable[Campaign]) -> dict[int, Progress]:
    """Overall progress of many campaigns in three grouped queries (lists, figures, dashboard)."""
    campaigns = list(campaigns)
    ids = [c.pk for c in campaigns]
    if not ids:
        return {}
    totals = dict(Household.objects.filter(grid__campaigns__in=ids).values_list("grid__campaigns").annotate(n=Count("pk")))
    done = dict(done_visits(ids).values_list("campaign").annotate(n=Count("household", distinct=True)))
    changes = dict(Visit.objects.filter(campaign__in=ids).values_list("campaign").annotate(n=Sum("changes_count")))
    return {c.pk: Progress(c.pk, c.name, totals.get(c.pk, 0), done.get(c.pk, 0), 0, 0, changes.get(c.pk) or 0)
            for c in campaigns}


def household_state(campaign: Campaign | None, households) -> dict[int, str]:
    """Household id → latest visit result in the campaign (missing = not visited)."""
    if campaign is None:
        return {}
    rows = (Visit.objects.filter(campaign=campaign, household__in=households)
            .order_by("household", "-recorded_at", "-pk").values_list("household", "result"))
    state: dict[int, str] = {}
    done_results = GridSettings.objects.rules().done_results
    for household_id, result in rows:
        # A done result stays done even if a later visit found nobody home.
        if household_id not in state or (result in done_results and state[household_id] not in done_results):
            state[household_id] = result
    return state


def pending_households(campaign: Campaign, grids: Iterable[Grid]):
    """Households of the campaign's grids (limited to `grids`) with no done visit, with their last result."""
    gids = set(campaign.grids.values_list("pk", flat=True)) & {g.pk for g in grids}
    last = Visit.objects.filter(campaign=campaign, household=OuterRef("pk")).order_by("-recorded_at", "-pk")
    return (Household.objects.filter(grid__in=gids)
            .filter(~Exists(done_visits([campaign.pk]).filter(household=OuterRef("pk"))))  # an anti-join
            .select_related("unit__building", "grid")
            .annotate(last_result=Subquery(last.values("result")[:1]), last_visit=Subquery(last.values("visited_on")[:1])))
