"""The grid register's numbers for an org subtree and a period (dashboard, CLI --json, duty report).

A fixed number of aggregate queries, whatever the number of residents or campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from dangjian.lib.figures import Figure, link
from dangjian.lib.periods import Period
from dangjian.orgs.models import Org

from .choices import HukouType
from .models import Campaign, Grid, GridAssignment, GridSettings, Household, Resident, ResidentTag
from .progress import campaigns_completion


@dataclass
class GridFigures:
    org: Org
    period: Period
    grids: Figure
    workers: Figure
    households: Figure
    residents: Figure
    migrants: Figure
    separated: Figure
    elderly: Figure
    members: Figure
    moved_in: Figure
    moved_out: Figure
    died: Figure
    by_hukou: list[dict] = field(default_factory=list)
    by_tag: list[dict] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)

    NUMBERS = ("grids", "workers", "households", "residents", "migrants", "separated", "elderly", "members",
               "moved_in", "moved_out", "died")

    @property
    def survey_done(self) -> int:
        return sum(c["done"] for c in self.campaigns)

    @property
    def survey_total(self) -> int:
        return sum(c["total"] for c in self.campaigns)

    @property
    def survey_percent(self) -> int:
        return round(100 * self.survey_done / self.survey_total) if self.survey_total else 0

    def as_json(self) -> dict:
        return {"org": self.org.name, "period": str(self.period),
                **{k: getattr(self, k).as_json() for k in self.NUMBERS},
                "by_hukou": self.by_hukou, "by_tag": self.by_tag, "campaigns": self.campaigns,
                "survey": {"households_done": self.survey_done, "households_total": self.survey_total,
                           "percent": self.survey_percent}}


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def for_period(org: Org, period: Period) -> GridFigures:
    first, day = period.first_day, period.last_day
    in_org = Q(household__grid__community__path__startswith=org.path)
    register = Resident.objects.filter(in_org).on_register_on(day)
    r = GridSettings.objects.rules()
    elderly_born_by = _years_before(day, r.elderly_age)
    tags = list(ResidentTag.objects.filter(is_active=True).values_list("name", flat=True))
    agg = register.aggregate(
        residents=Count("pk"),
        migrants=Count("pk", filter=Q(hukou_type=HukouType.MIGRANT)),
        separated=Count("pk", filter=Q(hukou_type=HukouType.SEPARATED)),
        elderly=Count("pk", filter=Q(birth_date__lte=elderly_born_by)),
        members=Count("pk", filter=Q(member__isnull=False)),
        **{f"tag{i}": Count("pk", filter=Q(tags__contains=f"|{t}|")) for i, t in enumerate(tags)},
        **{f"hukou_{h.name}": Count("pk", filter=Q(hukou_type=h.value)) for h in HukouType},
    )
    movements = Resident.objects.filter(in_org).aggregate(
        moved_in=Count("pk", filter=Q(moved_in_on__gte=first, moved_in_on__lte=day)),
        moved_out=Count("pk", filter=Q(moved_out_on__gte=first, moved_out_on__lte=day)),
        died=Count("pk", filter=Q(died_on__gte=first, died_on__lte=day)),
    )
    households = Household.objects.filter(grid__community__path__startswith=org.path).count()
    grids = Grid.objects.in_org(org).count()
    workers = (GridAssignment.objects.filter(grid__community__path__startswith=org.path, started_on__lte=day)
               .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day)).values("user").distinct().count())
    campaigns = list(Campaign.objects.in_org(org).overlapping(first, day).select_related("community")
                     .order_by("starts_on", "pk"))
    completion = campaigns_completion(campaigns)
    span = {"from": first.isoformat(), "to": day.isoformat()}
    return GridFigures(
        org=org, period=period,
        grids=Figure("网格", grids, link("grid_home", community=org.pk if org.is_community else None), "个"),
        workers=Figure("在岗网格员", workers, link("grid_home", community=org.pk if org.is_community else None), "人"),
        households=Figure("登记住户", households, link("grid_residents", org=org.pk), "户"),
        residents=Figure("在册居民", agg["residents"], link("grid_residents", org=org.pk), "人"),
        migrants=Figure("外来人口", agg["migrants"], link("grid_residents", org=org.pk, hukou_type=HukouType.MIGRANT), "人"),
        separated=Figure("人户分离", agg["separated"], link("grid_residents", org=org.pk, hukou_type=HukouType.SEPARATED), "人"),
        elderly=Figure(f"{r.elderly_age}岁以上老人", agg["elderly"], link("grid_residents", org=org.pk), "人"),
        members=Figure("在册居民中的党员", agg["members"], link("grid_residents", org=org.pk, member=1), "人"),
        moved_in=Figure("本期迁入", movements["moved_in"], link("grid_residents", org=org.pk, moved="in", **span), "人"),
        moved_out=Figure("本期迁出", movements["moved_out"], link("grid_residents", org=org.pk, moved="out", archived=1, **span), "人"),
        died=Figure("本期去世", movements["died"], link("grid_residents", org=org.pk, moved="died", archived=1, **span), "人"),
        by_hukou=[{"name": h.label, "value": agg[f"hukou_{h.name}"]} for h in HukouType],
        by_tag=[{"name": t, "value": agg[f"tag{i}"], "link": link("grid_residents", org=org.pk, tag=t)} for i, t in enumerate(tags)],
        campaigns=[{"name": c.name, "community": c.community.name, "community_id": c.community_id, "starts_on": c.starts_on.isoformat(),
                    "deadline": c.deadline.isoformat(), "total": completion[c.pk].total, "done": completion[c.pk].done,
                    "percent": completion[c.pk].percent, "changes": completion[c.pk].changes,
                    "link": link("campaign_detail", c.pk)} for c in campaigns],
    )
