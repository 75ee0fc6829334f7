"""Demo grid register: 和平社区 has 6 grids, ~1,500 households and ~4,000 residents (most of its
party members among them), the 2023年三季度户籍摸排 at about 90 % and this quarter's campaign in
progress. The generated communities get a small register (2 grids, 20 households) so that
`dangjian demo --communities 20` stays fast.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from dangjian.demo import demo_user
from dangjian.lib.bulk import copy_to_history, insert_rows, insert_tuples, table
from dangjian.lib.crypto import blind_index
from dangjian.lib.idnumbers import make_id, mask_phone, phone_tail
from dangjian.lib.periods import Period
from dangjian.lib.pinyin import search_keys
from dangjian.orgs.models import Role, RoleAssignment

from .choices import ArchiveReason, HousingStatus, HukouType, Relation, VisitResult
from .models import Building, Campaign, Grid, GridAssignment, Household, Resident, Unit, Visit
from .sealing import seal_many

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
        self.placed: set[str] = set()  # members' IDs already given to a resident (one live resident each)

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
        user = demo_user(username, first_name=full_name, is_active=active)
        RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, org=community)
        ctx.users[username] = user
        if active:
            ctx.logins.append((username, Role.GRID_WORKER.label, community.name))
    return user


class FakerNames:
    """Residents' names and home places from Faker (和平社区 and the one-street demo)."""

    def __init__(self, fake):
        self.fake = fake
        self.male, self.female = fake.name_male, fake.name_female

    def place(self) -> str:
        return f"{self.fake.province()}{self.fake.city()}{self.fake.street_name()}"


class QuickNames:
    """The same kind of names and places drawn straight from Faker's zh_CN word lists with our
    own random stream: Faker spends about 100 µs a name parsing its formats, and a district has a
    million residents."""

    def __init__(self, rng):
        from faker.providers.address.zh_CN import Provider as Address
        from faker.providers.person.zh_CN import Provider as Person

        self.rng = rng
        self.surnames = list(Person.last_names)
        self.weights = list(accumulate(Person.last_names.values()))
        self.given = {"男": list(Person.first_names_male), "女": list(Person.first_names_female)}
        self.provinces, self.cities = list(Address.provinces), list(Address.cities)
        self.streets = ["中山", "人民", "解放", "建设", "和平", "文化", "胜利", "新华", "长江", "黄河", "朝阳", "光明"]

    def _name(self, sex: str) -> str:
        rng, given = self.rng, self.given[sex]
        first = rng.choice(given) + (rng.choice(given) if rng.random() < 0.3 else "")
        return rng.choices(self.surnames, cum_weights=self.weights)[0] + first[:2]

    def male(self) -> str:
        return self._name("男")

    def female(self) -> str:
        return self._name("女")

    def place(self) -> str:
        rng = self.rng
        return f"{rng.choice(self.provinces)}{rng.choice(self.cities)}市{rng.choice(self.streets)}{rng.choice('路街')}"


def _person(ctx, rng, ids: Ids, *, age_range, sex=None, local=True, today):
    sex = sex or rng.choice(["男", "女"])
    birth = date(today.year - rng.randint(*age_range), rng.randint(1, 12), rng.randint(1, 28))
    region = rng.choice(REGIONS_LOCAL if local else REGIONS_AWAY)
    name = ctx.resident_names.male() if sex == "男" else ctx.resident_names.female()
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
    if members_pool and rng.random() < 0.12 and members_pool[-1].id_number not in ids.placed:
        m = members_pool.pop()
        ids.placed.add(m.id_number)
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


def _next_id(model) -> int:
    """Rows inserted after this call get ids above it (the demo is the only writer)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table(model)}")
        return cursor.fetchone()[0]


def _ids_after(model, after: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table(model)} WHERE id > %s ORDER BY id", [after])
        return [row[0] for row in cursor.fetchall()]


@lru_cache(maxsize=200_000)
def _keys(name: str) -> tuple[str, str]:
    """Pinyin search keys of a name (Faker's names repeat: worked out once each)."""
    initials, pinyin = search_keys(name)
    return initials[:20], pinyin[:100]


def _register(ctx, rng, community, grids, buildings_per_grid, units, floors, doors, members_pool, local_address):
    """Buildings, units, households and residents of a community; returns (households, residents).

    Households and residents are inserted with one executemany each (their ID numbers and phones
    sealed together, `grid.sealing`) and their "+" history rows copied inside the database, as the
    register import writes them: a district's register holds a million residents."""
    today = ctx.today
    ids = ctx.resident_ids
    ids.used.update(m.id_number for m in members_pool)
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
                households.append(_Row(unit_id=unit.pk, grid_id=grid_of[unit.building_id], door=f"{floor}0{door}",
                                       housing_status=status))
    after = _next_id(Household)
    now = timezone.now()
    insert_rows(Household, [{"unit_id": h.unit_id, "grid_id": h.grid_id, "door": h.door, "housing_status": h.housing_status}
                            for h in households], {"created_at": now})
    copy_to_history(Household, "id > %s", [after], when=since, user_id=None, reason="演示数据")
    for h, pk in zip(households, _ids_after(Household, after), strict=True):
        h.pk = pk
    units_by_id = {u.pk: u for u in unit_objs}
    buildings_by_id = {b.pk: b for b in buildings}
    residents = []
    for h in households:
        unit = units_by_id[h.unit_id]
        building = buildings_by_id[unit.building_id]
        address = f"{building.estate}{building.name}{unit.name}{h.door}室"
        for person in _family(ctx, rng, ids, h.housing_status, today, members_pool):
            moved_in = _rand_day(rng, max(person["birth_date"], date(1995, 1, 1)), date(2023, 5, 31))
            r = _Row(household_id=h.pk, name=person["name"], sex=person["sex"], birth_date=person["birth_date"],
                     id_number=person["id_number"], relation=person["relation"], hukou_type=person["hukou_type"],
                     hukou_address=local_address if person["hukou_type"] in (HukouType.LOCAL, HukouType.ABSENT)
                     else f"{ctx.resident_names.place()}{rng.randint(1, 200)}号",
                     current_address=address, phone=person.get("phone") or (_phone(rng) if rng.random() < 0.9 else ""),
                     moved_in_on=moved_in, tags=_tags(rng, person, today), member_id=person.get("member_id"),
                     archived_on=None)
            r.name_initials, r.name_pinyin = _keys(r.name)
            r.id_hash = blind_index(r.id_number) if r.id_number else None
            r.phone_tail = phone_tail(r.phone)
            residents.append(r)
    after = _next_id(Resident)
    sealed_ids = seal_many([r.id_number for r in residents])
    sealed_phones = seal_many([r.phone for r in residents])
    day, stamp = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value(now)
    insert_tuples(Resident, RESIDENT_COLUMNS, [
        (r.household_id, r.name, r.name_initials, r.name_pinyin, str(sid), r.id_hash, r.sex, day(r.birth_date), r.relation,
         r.hukou_type, r.hukou_address, r.current_address, str(sphone), r.phone_tail, "", day(r.moved_in_on), r.tags,
         r.member_id, "", "", "", stamp, stamp)
        for r, sid, sphone in zip(residents, sealed_ids, sealed_phones, strict=True)])
    copy_to_history(Resident, "id > %s", [after], when=since, user_id=None, reason="演示数据")
    for r, pk in zip(residents, _ids_after(Resident, after), strict=True):
        r.pk = pk
    return households, residents


class _Row:
    """A household or resident the demo has written, as it needs them afterwards (a model
    instance costs ten times as much to make, and a district has a million)."""

    def __init__(self, **values):
        self.__dict__.update(values)


# Columns the demo fills, in the order of its tuples (the others keep their defaults: NULL, "").
RESIDENT_COLUMNS = ("household_id", "name", "name_initials", "name_pinyin", "id_number", "id_hash", "sex", "birth_date",
                    "relation", "hukou_type", "hukou_address", "current_address", "phone", "phone_tail", "landline",
                    "moved_in_on", "tags", "member_id", "moved_to", "archive_reason", "note", "created_at", "updated_at")


def _archive_some(rng, residents, first: date, last: date) -> dict[int, list[dict]]:
    """Some residents moved out or died during a quarter (archived, kept): household id → visit changes."""
    changes: dict[int, list[dict]] = {}
    candidates = [r for r in residents if r.relation != Relation.HEAD and not r.member_id]
    moved = rng.sample(candidates, min(len(candidates), max(1, len(residents) // 130)))
    gone = {id(r) for r in moved}
    old = [r for r in residents if r.birth_date and r.birth_date.year < 1940 and not r.member_id and id(r) not in gone]
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
    # One UPDATE and one history batch for all of them, each history row dated its own day.
    fields = ["moved_out_on", "died_on", "archived_on", "archive_reason", "moved_to"]
    rows = Resident.objects.in_bulk([r.pk for r in moved + died])
    archived = []
    for r in moved + died:
        obj = rows[r.pk]
        for name in fields:
            setattr(obj, name, getattr(r, name, None) or ("" if name in ("archive_reason", "moved_to") else None))
        obj._history_date = _aware(r.archived_on, 15)
        obj._change_reason = f"{r.archive_reason}（{r.archived_on:%Y-%m-%d}）"
        obj.updated_at = timezone.now()
        archived.append(obj)
    Resident.objects.bulk_update(archived, [*fields, "updated_at"], batch_size=500)
    Resident.history.bulk_history_create(archived, update=True, batch_size=500)
    return changes


def _visits(rng, campaign, households, residents, workers_by_grid, *, done_share, until, changes) -> None:
    phones = {}
    for r in residents:
        if r.phone and r.archived_on is None:
            phones.setdefault(r.household_id, []).append(r)
    visits = []
    for h in households:
        worker = workers_by_grid.get(h.grid_id)
        worker = worker.pk if worker is not None else None
        roll = rng.random()
        if roll >= done_share + (1 - done_share) * 0.5:
            continue  # not visited yet
        first = _rand_day(rng, campaign.starts_on, until)
        if roll >= done_share:
            visits.append(dict(campaign_id=campaign.pk, household_id=h.pk, visited_on=first, worker_id=worker,
                                result=rng.choice([VisitResult.NOBODY_HOME, VisitResult.NOBODY_HOME, VisitResult.REFUSED])))
            continue
        if rng.random() < 0.15:  # found nobody first, came back later
            visits.append(dict(campaign_id=campaign.pk, household_id=h.pk, visited_on=first, worker_id=worker, result=VisitResult.NOBODY_HOME))
            first = min(until, first + timedelta(days=rng.randint(2, 12)))
        found = list(changes.get(h.pk, []))
        if h.pk in phones and rng.random() < 0.06:
            r = rng.choice(phones[h.pk])
            found.append({"kind": "corrected", "text": f"{r.name} 更正联系电话：{mask_phone(_phone(rng))} → {mask_phone(r.phone)}"})
        result = VisitResult.VACANT if h.housing_status == HousingStatus.VACANT else VisitResult.SURVEYED
        visits.append(dict(campaign_id=campaign.pk, household_id=h.pk, visited_on=first, worker_id=worker, result=result,
                            changes=found, changes_count=len(found)))
    changes_field = Visit._meta.get_field("changes")
    for v in visits:
        v["changes"] = changes_field.get_db_prep_value(v.get("changes", []), connection)
    insert_rows(Visit, visits, {"recorded_at": timezone.now()})


# People a household holds on average (82 % owners of about 3, 12 % renters of about 1.75, 6 % vacant).
PEOPLE_PER_HOUSEHOLD = 2.7


def _layout(residents: int) -> tuple[list[int], int, int, int]:
    """(buildings per grid, units, floors, doors) of a generated community of about `residents`
    people: six-floor buildings of two units, two doors a floor, about eight buildings a grid."""
    units, floors, doors = 2, 6, 2
    buildings = max(2, round(residents / PEOPLE_PER_HOUSEHOLD / (units * floors * doors)))
    grids = max(2, round(buildings / 8))
    return [buildings // grids + (1 if i < buildings % grids else 0) for i in range(grids)], units, floors, doors


def _grid_name(i: int) -> str:
    return GRID_NAMES[i] if i < len(GRID_NAMES) else f"第{i + 1}网格"


def seed(ctx) -> None:
    rng = ctx.rng_for("grid")
    # Every member's ID is reserved up front: a resident generated in one community must not take
    # the ID of a member whose own community's register comes later.
    ctx.resident_ids = Ids(rng, taken=(m.id_number for demo in ctx.communities for m in demo.members
                                       if m.id_number))
    ctx.residents_per_community = getattr(ctx, "residents_per_community", None)
    today = ctx.today
    current = Period.of(today, "quarter")
    for demo in ctx.each_community():
        community = demo.org
        if demo.detailed:
            grids = [Grid(community=community, name=name, code=f"{community.code}-W{i + 1}", sort=i + 1,
                          area=f"{ESTATES[min(i // 2, 2)]}{'东' if i % 2 == 0 else '西'}片")
                     for i, name in enumerate(GRID_NAMES)]
            per_grid = [11, 11, 10, 11, 10, 10]
            units, floors, doors = 2, 6, 2
        elif ctx.residents_per_community:
            per_grid, units, floors, doors = _layout(ctx.residents_per_community)
            grids = [Grid(community=community, name=_grid_name(i), sort=i + 1) for i in range(len(per_grid))]
        else:
            grids = [Grid(community=community, name=name, sort=i + 1) for i, name in enumerate(GRID_NAMES[:2])]
            per_grid, units, floors, doors = [1, 1], 1, 5, 2
        grids = bulk_create_with_history(grids, Grid, default_date=_aware(date(2019, 1, 1)), default_change_reason="演示数据")
        pool = list(demo.members)
        rng.shuffle(pool)
        pool = pool[: round(len(pool) * 0.9)] if demo.detailed or ctx.residents_per_community else pool[:5]
        local = f"山东省济南市历下区{community.display_name}{ctx.fake.street_name()}"
        ctx.resident_names = QuickNames(rng) if ctx.residents_per_community and not demo.detailed else FakerNames(ctx.fake)
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
        elif (user := ctx.users.get(f"wangge-{community.code}")) is not None:
            # A district's generated community: its one grid worker account covers its grids.
            bulk_create_with_history([GridAssignment(grid=grid, user=user, started_on=date(2023, 1, 1)) for grid in grids],
                                     GridAssignment, default_date=_aware(date(2023, 1, 1)))
            workers_by_grid = {grid.pk: user for grid in grids}
        changes = _archive_some(rng, residents, Q3_2023.first_day, Q3_2023.last_day)
        q3 = Campaign.objects.create(community=community, name="2023年三季度户籍摸排", starts_on=Q3_2023.first_day,
                                     deadline=Q3_2023.last_day, note="逐户走访，登记人员、户籍信息，更正变动情况",
                                     created_by=ctx.users.get("shuji") if demo.detailed else None)
        q3.grids.set(grids)
        _visits(rng, q3, households, residents, workers_by_grid, done_share=0.9 if demo.detailed else 0.8,
                until=Q3_2023.last_day, changes=changes)
        # This quarter's campaign in progress: 和平社区's, and every community's in a district.
        in_progress = demo.detailed or ctx.residents_per_community
        if in_progress and current != Q3_2023 and current.first_day > Q3_2023.last_day:
            now = Campaign.objects.create(
                community=community, name=f"{current.year}年{CN_QUARTER[current.index - 1]}季度户籍摸排",
                starts_on=current.first_day, deadline=current.last_day, note="重点核实出租户、独居老人",
                created_by=ctx.users.get("shuji") if demo.detailed else ctx.users.get(f"shuji-{community.code}"))
            now.grids.set(grids)
            elapsed = (today - current.first_day).days / max((current.last_day - current.first_day).days, 1)
            _visits(rng, now, households, residents, workers_by_grid, done_share=min(0.85, 0.2 + 0.6 * elapsed),
                    until=today, changes={})
