"""Demo roster: 和平社区 has exactly 123 正式党员 (as the 2023 report says) and a few 预备党员."""

from datetime import date, timedelta

from dangjian.demo import demo_user
from dangjian.lib.bulk import bulk_create_copying_history
from dangjian.lib.idnumbers import make_id
from dangjian.orgs.models import Org, Role, RoleAssignment

from .choices import Category, Education, EventKind, Status
from .models import Member, MemberEvent
from .services import members_intervals_build

# (full members, probationary members, category mix) per branch of the detailed community.
BRANCH_PLAN = [
    (28, 2, [Category.EMPLOYED] * 8 + [Category.ANNUAL_SALARY, Category.SELF_EMPLOYED]),
    (40, 2, [Category.RETIRED]),
    (28, 1, [Category.EMPLOYED, Category.RETIRED, Category.RETIRED, Category.NO_FIXED_INCOME, Category.LOW_INCOME]),
    (27, 1, [Category.EMPLOYED, Category.RETIRED, Category.UNEMPLOYED, Category.STUDENT, Category.FARMER]),
]
REGIONS = ["370102", "370103", "370104", "370105", "370112", "110101", "320102", "410102", "130102"]
PLACES = ["山东济南", "山东青岛", "山东潍坊", "河北石家庄", "河南郑州", "江苏南京", "北京"]
MOBILE_PLACES = [("广东省深圳市", "务工"), ("上海市浦东新区", "务工"), ("浙江省杭州市", "经商"), ("江苏省苏州市", "务工"),
                 ("北京市海淀区", "求学")]


def _birth(rng, category, today):
    if category == Category.RETIRED:
        return date(rng.randint(1936, 1963), rng.randint(1, 12), rng.randint(1, 28))
    if category == Category.STUDENT:
        return date(rng.randint(1999, 2004), rng.randint(1, 12), rng.randint(1, 28))
    return date(rng.randint(1966, 1996), rng.randint(1, 12), rng.randint(1, 28))


def _unique_id(ctx, rng, birth: date, sex: str) -> str:
    """An ID number no other member of the demo has (a district has 50,000 members)."""
    used = ctx.__dict__.setdefault("member_ids", set())
    id_number = make_id(birth, sex, rng.choice(REGIONS), rng)
    while id_number in used:
        id_number = make_id(birth, sex, rng.choice(REGIONS), rng)
    used.add(id_number)
    return id_number


def _member(ctx, rng, org, category, status, streets):
    fake, today = ctx.fake, ctx.today
    sex = rng.choice(["男", "女"])
    name = fake.name_male() if sex == "男" else fake.name_female()
    birth = _birth(rng, category, today)
    if status == Status.FULL:
        earliest = date(birth.year + 20, birth.month, birth.day)
        joined = earliest + timedelta(days=rng.randint(0, max((date(2021, 6, 30) - earliest).days, 1)))
        confirmed = joined + timedelta(days=365)
    else:
        joined, confirmed = today - timedelta(days=rng.randint(20, 320)), None
    m = Member(
        name=name, sex=sex, ethnicity=rng.choice(["汉族"] * 18 + ["回族", "满族"]), birth_date=birth,
        id_number=_unique_id(ctx, rng, birth, sex), native_place=rng.choice(PLACES),
        education=rng.choice([Education.SENIOR, Education.COLLEGE, Education.BACHELOR, Education.BACHELOR, Education.MASTER]
                             if category != Category.RETIRED else [Education.PRIMARY, Education.JUNIOR, Education.SENIOR, Education.VOCATIONAL, Education.COLLEGE]),
        category=category, joined_on=joined, confirmed_on=confirmed, status=status, org=org,
        phone=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        address=f"{rng.choice(streets)}{rng.randint(1, 30)}号楼{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
        employer=fake.company() if category in (Category.EMPLOYED, Category.ANNUAL_SALARY) else "",
        introducers=f"{fake.name()}、{fake.name()}",
    )
    if category == Category.RETIRED and birth.year < 1950 and rng.random() < 0.45:
        m.is_infirm = True
    if category in (Category.LOW_INCOME, Category.UNEMPLOYED) or (category == Category.RETIRED and rng.random() < 0.04):
        m.in_hardship = True
    if category in (Category.EMPLOYED, Category.SELF_EMPLOYED, Category.STUDENT, Category.NO_FIXED_INCOME) and rng.random() < 0.12:
        place, reason = rng.choice(MOBILE_PLACES)
        m.is_mobile, m.mobile_place, m.mobile_reason = True, place, reason
        m.mobile_since = date(rng.randint(2019, 2022), rng.randint(1, 12), 1)
        m.has_mobile_card = rng.random() < 0.6
        m.mobile_contact = "微信同手机号"
    if rng.random() < 0.03:  # a few incomplete records, as real rosters have
        m.address = ""
    m.prepare()
    return m


def _secretaries_from_roster(ctx, demo) -> None:
    """Each 书记 named on the org tree is a member on its roll: a branch's is its member with the post
    书记; the community's (党总支书记) is a member of the first branch, and holds the `shuji` account."""
    units = {b.pk: {b.pk} | {g.pk for g in demo.groups if g.parent_id == b.pk} for b in demo.branches}
    for branch in demo.branches:
        sec = next((m for m in demo.members if m.party_post == "书记" and m.org_id in units[branch.pk]), None)
        if sec is not None:
            branch.secretary = sec.name
            Org.objects.filter(pk=branch.pk).update(secretary=sec.name)
    first = [m for m in demo.members if m.org_id in units[demo.branches[0].pk] and m.status == Status.FULL
             and not m.party_post and not m.is_mobile and m.user_id is None]
    if not first:
        return
    head = first[0]
    Member.objects.filter(pk=head.pk).update(party_post="党总支书记")
    head.party_post = "党总支书记"
    demo.org.secretary = head.name
    Org.objects.filter(pk=demo.org.pk).update(secretary=head.name)
    user = ctx.users.get("shuji") if demo.detailed else None
    if user is not None:
        user.first_name = head.name
        user.save(update_fields=["first_name"])
        Member.objects.filter(pk=head.pk).update(user=user)


def seed(ctx) -> None:
    rng = ctx.rng_for("members")
    streets = [f"{ctx.fake.street_name()}" for _ in range(6)]
    for demo in ctx.each_community():
        batch: list[Member] = []
        for b, branch in enumerate(demo.branches):
            full, prob, cats = BRANCH_PLAN[b]
            if not demo.detailed:
                full += rng.randint(-3, 3)
            units = [g for g in demo.groups if g.parent_id == branch.pk] or [branch]
            for i in range(full + prob):
                status = Status.FULL if i < full else Status.PROBATIONARY
                category = rng.choice(cats)
                batch.append(_member(ctx, rng, units[i % len(units)], category, status, streets))
            # The secretary and committee of each branch.
            for j, post in enumerate(["书记", "组织委员", "宣传委员"]):
                batch[-(full + prob) + j].party_post, batch[-(full + prob) + j].is_committee = post, True
        # A few historical members, archived before 2023 (so the 2023 roll is the 123 above).
        archived = [_member(ctx, rng, demo.branches[1], Category.RETIRED, Status.FULL, streets) for _ in range(3)]
        for m, (reason, day) in zip(archived, [(EventKind.DEATH, date(2022, 3, 8)), (EventKind.TRANSFER_OUT, date(2022, 9, 15)),
                                               (EventKind.DEATH, date(2022, 12, 2))], strict=True):
            m.archived_on, m.archive_reason = day, EventKind(reason).label
        bulk_create_copying_history(Member, batch + archived, batch_size=500)
        created = list(Member.objects.in_org(demo.org).order_by("pk"))
        MemberEvent.objects.bulk_create(
            MemberEvent(member=m, kind=EventKind.DEATH if m.archive_reason == "去世" else EventKind.TRANSFER_OUT,
                        on=m.archived_on, to_org="" if m.archive_reason == "去世" else "市外（省内）", note="演示数据")
            for m in created if m.archived_on
        )
        events: dict[int, list] = {}
        for mid, kind, on in MemberEvent.objects.filter(member__in=created).values_list("member_id", "kind", "on"):
            events.setdefault(mid, []).append((kind, on))
        # Long-standing members: each belongs to their branch from their 入党 date.
        members_intervals_build(members=created, events=events)
        demo.members = [m for m in created if not m.archived_on]
        _secretaries_from_roster(ctx, demo)
        if demo.detailed:
            member = demo.members[0]
            user = ctx.users.get("dangyuan")
            if user is None:
                user = demo_user("dangyuan", first_name=member.name)
                RoleAssignment.objects.create(user=user, role=Role.MEMBER, org=member.org)
                ctx.users["dangyuan"] = user
                ctx.logins.append(("dangyuan", Role.MEMBER.label, f"{member.org.name}（{member.name}）"))
            Member.objects.filter(pk=member.pk).update(user=user)
