"""Demo grid register: 和平社区 has 6 grids, ~1,500 households and ~4,000 residents (most of its
party members among them), the 2023年三季度户籍摸排 at about 90 % and this quarter's campaign in
progress. The generated communities get a small register (2 grids, 20 households) so that
`dangjian demo --communities 20` stays fast.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from dangjian.demo import DEMO_PASSWORD
from dangjian.lib.idnumbers import make_id, mask_phone
from dangjian.lib.periods import Period
from dangjian.orgs.models import Role, RoleAssignment

from .choices import ArchiveReason, HousingStatus, HukouType, Relation, VisitResult
from .models import Building, Campaign, Grid, GridAssignment, Household, Resident, Unit, Visit

GRID_NAMES = ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格"]
ESTATES = ["和平小区", "建设新村", "幸福家园"]
REGIONS_LOCAL = ["370102", "370103", "370104"]
REGIONS_AWAY = ["370725", "371202", "410102", "130102", "320102", "340102"]
CN_QUARTER = "一二三四"
Q3_2023 = Period("quarter", 2023, 3)


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _rand_day(rng, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


class Ids:
    """Valid, unique ID numbers (the register refuses two live residents with one ID)."""

    def __init__(self, rng, taken=()):
        self.rng, self.used = rng, set(taken)

    def make(self, birth: date, sex: str, region: str) -> str:
        while True:
            value = make_id(birth, sex, region, self.rng)
            if value not in self.used:
                self.used.add(value)
                return value


def _phone(rng) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def _worker(ctx, username: str, full_name: str, community, *, active: bool = True):
    user = ctx.users.get(username)
    if user is None:
        user = get_user_model().objects.create_user(username=username, password=DEMO_PASSWORD, first_name=full_name,
                                                    is_active=active)
        RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, org=community)
        ctx.users[username] = user
        if active:
            ctx.logins.append((username, Role.GRID_WORKER.label, community.name))
    return user


def _person(ctx, rng, ids: Ids, *, age_range, sex=None, local=True, today):
    sex = sex or rng.choice(["男", "女"])
    birth = date(today.year - rng.randint(*age_range), rng.randint(1, 12), rng.randint(1, 28))
    region = rng.choice(REGIONS_LOCAL if local else REGIONS_AWAY)
    name = ctx.fake.name_male() if sex == "男" else ctx.fake.name_female()
    return {"name": name, "sex": sex, "birth_date": birth, "id_number": ids.make(birth, sex, region)}


def _family(ctx, rng, ids: Ids, status: str, today: date, members_pool: list) -> list[dict]:
    """The people of one household: head first."""
    if status == HousingStatus.VACANT:
        return []
    if status == HousingStatus.RENTED:
        people = [_person(ctx, rng, ids, age_range=(22, 45), local=False, today=today) | {"relation": Relation.HEAD}]
        for _ in range(rng.choice([0, 0, 1, 2])):
            people.append(_person(ctx, rng, ids, age_range=(20, 40), local=False, today=today) | {"relation": Relation.TENANT})
        for p in people:
            p["hukou_type"] = HukouType.MIGRANT if rng.random() < 0.8 else HukouType.SEPARATED
        return people
    shape = rng.choices(["alone_old", "old_couple", "couple", "family", "three_gen"], [10, 18, 14, 40, 18])[0]
    head_age = {"alone_old": (70, 95), "old_couple": (62, 88), "couple": (28, 60), "family": (32, 55), "three_gen": (38, 55)}[shape]
    if members_pool and rng.random() < 0.12:
        m = members_pool.pop()
        head = {"name": m.name, "sex": m.sex or "男", "birth_date": m.birth_date, "id_number": m.id_number,
                "phone": m.phone, "member_id": m.pk}
    else:
        head = _person(ctx, rng, ids, age_range=head_age, today=today)
    people = [head | {"relation": Relation.HEAD}]
    if shape != "alone_old":
        spouse_sex = "女" if head["sex"] == "男" else "男"
        spouse_age = (today.year - head["birth_date"].year - 3, today.year - head["birth_date"].year + 2)
        people.append(_person(ctx, rng, ids, age_range=spouse_age, sex=spouse_sex, today=today) | {"relation": Relation.SPOUSE})
    if shape in ("family", "three_gen"):
        for _ in range(rng.choice([1, 2, 2])):
            child = _person(ctx, rng, ids, age_range=(1, 22), today=today)
            people.append(child | {"relation": Relation.SON if child["sex"] == "男" else Relation.DAUGHTER})
    if shape == "three_gen":
        people.append(_person(ctx, rng, ids, age_range=(68, 90), today=today) | {"relation": Relation.PARENT})
    for p in people:
        roll = rng.random()
        p["hukou_type"] = HukouType.LOCAL if roll < 0.86 else HukouType.SEPARATED if roll < 0.94 else HukouType.ABSENT
    if shape == "alone_old":
        people[0]["tags"] = ["独居老人"]
    return people


def _tags(rng, person: dict, today: date) -> str:
    tags = list(person.get("tags", []))
    age = today.year - person["birth_date"].year
    if age >= 80 and rng.random() < 0.85:
        tags.append("高龄")
    for tag, p in (("残疾人", 0.02), ("低保", 0.02), ("退役军人", 0.03), ("重点关注", 0.01)):
        if age >= 18 and rng.random() < p:
            tags.append(tag)
    return f"|{'|'.join(dict.fromkeys(tags))}|" if tags else ""


def _register(ctx, rng, community, grids, buildings_per_grid, units, floors, doors, members_pool, local_address):
    """Buildings, units, households and residents of a community; returns (households, residents)."""
    today = ctx.today
    ids = Ids(rng, {m.id_number for m in members_pool})
    buildings, n = [], 0
    for g_index, grid in enumerate(grids):
        for _ in range(buildings_per_grid[g_index]):
            n += 1
            estate = ESTATES[(n - 1) * len(ESTATES) // sum(buildings_per_grid)]
            buildings.append(Building(grid=grid, estate=estate, name=f"{n}号楼", sort=n))
    since = _aware(date(2023, 6, 1))
    buildings = bulk_create_with_history(buildings, Building, default_date=since, default_change_reason="演示数据")
    unit_objs = Unit.objects.bulk_create([Unit(building=b, name=f"{u + 1}单元" if units > 1 else "", sort=u)
                                          for b in buildings for u in range(units)])
    grid_of = {b.pk: b.grid_id for b in buildings}
    households = []
    for unit in unit_objs:
        for floor in range(1, floors + 1):
            for door in range(1, doors + 1):
                status = rng.choices([HousingStatus.OWNER, HousingStatus.RENTED, HousingStatus.VACANT], [82, 12, 6])[0]
                households.append(Household(unit=unit, grid_id=grid_of[unit.building_id], door=f"{floor}0{door}",
                                            housing_status=status))
    households = bulk_create_with_history(households, Household, batch_size=500, default_date=since,
                                          default_change_reason="演示数据")
    units_by_id = {u.pk: u for u in unit_objs}
    buildings_by_id = {b.pk: b for b in buildings}
    residents = []
    for h in households:
        unit = units_by_id[h.unit_id]
        building = buildings_by_id[unit.building_id]
        address = f"{building.estate}{building.name}{unit.name}{h.door}室"
        for person in _family(ctx, rng, ids, h.housing_status, today, members_pool):
            moved_in = _rand_day(rng, max(person["birth_date"], date(1995, 1, 1)), date(2023, 5, 31))
            r = Resident(household=h, name=person["name"], sex=person["sex"], birth_date=person["birth_date"],
                         id_number=person["id_number"], relation=person["relation"], hukou_type=person["hukou_type"],
                         hukou_address=local_address if person["hukou_type"] in (HukouType.LOCAL, HukouType.ABSENT)
                         else f"{ctx.fake.province()}{ctx.fake.city()}{ctx.fake.street_name()}{rng.randint(1, 200)}号",
                         current_address=address, phone=person.get("phone") or (_phone(rng) if rng.random() < 0.9 else ""),
                         moved_in_on=moved_in, tags=_tags(rng, person, today), member_id=person.get("member_id"))
            r.prepare()
            residents.append(r)
    residents = bulk_create_with_history(residents, Resident, batch_size=500, default_date=since,
                                         default_change_reason="演示数据")
    return households, residents


def _archive_some(rng, residents, first: date, last: date) -> dict[int, list[dict]]:
    """Some residents moved out or died during a quarter (archived, kept): household id → visit changes."""
    changes: dict[int, list[dict]] = {}
    candidates = [r for r in residents if r.relation != Relation.HEAD and not r.member_id]
    moved = rng.sample(candidates, min(len(candidates), max(1, len(residents) // 130)))
    old = [r for r in residents if r.birth_date and r.birth_date.year < 1940 and not r.member_id and r not in moved]
    died = rng.sample(old, min(len(old), max(1, len(residents) // 500)))
    for r in moved:
        day = _rand_day(rng, first, last)
        r.moved_out_on, r.archived_on, r.archive_reason = day, day, ArchiveReason.MOVED_OUT
        r.moved_to = rng.choice(["济南市历城区", "青岛市市南区", "北京市朝阳区", "上海市浦东新区", "广东省深圳市"])
        changes.setdefault(r.household_id, []).append({"kind": "moved_out", "text": f"{r.name} 迁出（迁往{r.moved_to}）"})
    for r in died:
        day = _rand_day(rng, first, last)
        r.died_on, r.archived_on, r.archive_reason = day, day, ArchiveReason.DIED
        changes.setdefault(r.household_id, []).append({"kind": "died", "text": f"{r.name} 去世"})
    for r in moved + died:
        r._history_date = _aware(r.archived_on, 15)
        r._change_reason = f"{r.archive_reason}（{r.archived_on:%Y-%m-%d}）"
        r.save()
    return changes


def _visits(rng, campaign, households, residents, workers_by_grid, *, done_share, until, changes) -> None:
    phones = {}
    for r in residents:
        if r.phone and r.archived_on is None:
            phones.setdefault(r.household_id, []).append(r)
    visits = []
    for h in households:
        worker = workers_by_grid.get(h.grid_id)
        roll = rng.random()
        if roll >= done_share + (1 - done_share) * 0.5:
            continue  # not visited yet
        first = _rand_day(rng, campaign.starts_on, until)
        if roll >= done_share:
            visits.append(Visit(campaign=campaign, household=h, visited_on=first, worker=worker,
                                result=rng.choice([VisitResult.NOBODY_HOME, VisitResult.NOBODY_HOME, VisitResult.REFUSED])))
            continue
        if rng.random() < 0.15:  # found nobody first, came back later
            visits.append(Visit(campaign=campaign, household=h, visited_on=first, worker=worker, result=VisitResult.NOBODY_HOME))
            first = min(until, first + timedelta(days=rng.randint(2, 12)))
        found = list(changes.get(h.pk, []))
        if h.pk in phones and rng.random() < 0.06:
            r = rng.choice(phones[h.pk])
            found.append({"kind": "corrected", "text": f"{r.name} 更正联系电话：{mask_phone(_phone(rng))} → {r.masked_phone}"})
        result = VisitResult.VACANT if h.housing_status == HousingStatus.VACANT else VisitResult.SURVEYED
        visits.append(Visit(campaign=campaign, household=h, visited_on=first, worker=worker, result=result,
                            changes=found, changes_count=len(found)))
    Visit.objects.bulk_create(visits, batch_size=1000)


def seed(ctx) -> None:
    rng = ctx.rng_for("grid")
    today = ctx.today
    current = Period.of(today, "quarter")
    for demo in ctx.communities:
        community = demo.org
        if demo.detailed:
            grids = [Grid(community=community, name=name, code=f"{community.code}-W{i + 1}", sort=i + 1,
                          area=f"{ESTATES[min(i // 2, 2)]}{'东' if i % 2 == 0 else '西'}片")
                     for i, name in enumerate(GRID_NAMES)]
            per_grid = [11, 11, 10, 11, 10, 10]
            units, floors, doors = 2, 6, 2
        else:
            grids = [Grid(community=community, name=name, sort=i + 1) for i, name in enumerate(GRID_NAMES[:2])]
            per_grid, units, floors, doors = [1, 1], 1, 5, 2
        grids = bulk_create_with_history(grids, Grid, default_date=_aware(date(2019, 1, 1)), default_change_reason="演示数据")
        pool = list(demo.members)
        rng.shuffle(pool)
        pool = pool[: round(len(pool) * 0.9)] if demo.detailed else pool[:5]
        local = f"山东省济南市历下区{community.display_name}{ctx.fake.street_name()}"
        households, residents = _register(ctx, rng, community, grids, per_grid, units, floors, doors, pool, local)
        workers_by_grid: dict[int, object] = {}
        if demo.detailed:
            old = _worker(ctx, "wangge0", "原第一网格网格员", community, active=False)
            assignments = [GridAssignment(grid=grids[0], user=old, started_on=date(2019, 1, 1), ended_on=date(2022, 12, 31),
                                          note="调任")]
            for i, grid in enumerate(grids):
                username = f"wangge{i + 1}"
                user = _worker(ctx, username, f"{GRID_NAMES[i]}网格员", community)
                workers_by_grid[grid.pk] = user
                assignments.append(GridAssignment(grid=grid, user=user, started_on=date(2023, 1, 1)))
            bulk_create_with_history(assignments, GridAssignment, default_date=_aware(date(2023, 1, 1)))
        changes = _archive_some(rng, residents, Q3_2023.first_day, Q3_2023.last_day)
        q3 = Campaign.objects.create(community=community, name="2023年三季度户籍摸排", starts_on=Q3_2023.first_day,
                                     deadline=Q3_2023.last_day, note="逐户走访，登记人员、户籍信息，更正变动情况",
                                     created_by=ctx.users.get("shuji") if demo.detailed else None)
        q3.grids.set(grids)
        _visits(rng, q3, households, residents, workers_by_grid, done_share=0.9 if demo.detailed else 0.8,
                until=Q3_2023.last_day, changes=changes)
        if demo.detailed and current != Q3_2023 and current.first_day > Q3_2023.last_day:
            now = Campaign.objects.create(
                community=community, name=f"{current.year}年{CN_QUARTER[current.index - 1]}季度户籍摸排",
                starts_on=current.first_day, deadline=current.last_day, note="重点核实出租户、独居老人",
                created_by=ctx.users.get("shuji"))
            now.grids.set(grids)
            elapsed = (today - current.first_day).days / max((current.last_day - current.first_day).days, 1)
            _visits(rng, now, households, residents, workers_by_grid, done_share=min(0.85, 0.2 + 0.6 * elapsed),
                    until=today, changes={})
