"""Demo org tree: 新华街道党工委 → 和平社区党总支 → 4 党支部 → 党小组, plus accounts.

With several streets (`dangjian demo --streets S`) a district (历下区委) sits on top: 新华街道 is its
first street and holds 和平社区; every other street gets its own street admin, and each generated
community of a district its own secretary, party worker and grid worker accounts.
"""

from datetime import date

from django.contrib.auth import get_user_model

from dangjian.demo import DemoCommunity, demo_user, password_hash

from .models import Org, OrgKind, Role, RoleAssignment

COMMUNITY_NAMES = ["和平", "光明", "幸福", "建设", "新华", "民主", "团结", "友谊", "胜利", "朝阳",
                   "东风", "红旗", "振兴", "长青", "春晖", "育才", "兴华", "康乐", "安居", "锦绣",
                   "丰收", "永安", "文化", "富强", "繁荣"]
# (name, short name, code) of the district's streets; the first is the one-street demo's.
STREETS = [("新华街道党工委", "新华街道", "XH"), ("解放路街道党工委", "解放路街道", "JF"), ("千佛山街道党工委", "千佛山街道", "QF"),
           ("趵突泉街道党工委", "趵突泉街道", "BT"), ("泉城路街道党工委", "泉城路街道", "QC"), ("大明湖街道党工委", "大明湖街道", "DM"),
           ("东关街道党工委", "东关街道", "DG"), ("文东街道党工委", "文东街道", "WD"), ("建新街道党工委", "建新街道", "JX"),
           ("甸柳街道党工委", "甸柳街道", "DL"), ("燕山街道党工委", "燕山街道", "YS"), ("姚家街道党工委", "姚家街道", "YJ"),
           ("龙洞街道党工委", "龙洞街道", "LD"), ("智远街道党工委", "智远街道", "ZY"), ("舜华路街道党工委", "舜华路街道", "SH"),
           ("金融街道党工委", "金融街道", "JR"), ("历山街道党工委", "历山街道", "LS"), ("文化路街道党工委", "文化路街道", "WH"),
           ("旅游路街道党工委", "旅游路街道", "LY"), ("汉峪街道党工委", "汉峪街道", "HY")]
BRANCHES = ["第一党支部", "第二党支部", "第三党支部", "第四党支部"]
GROUPS = ["第一党小组", "第二党小组"]


def _user(ctx, username, full_name, role, org, *, superuser=False):
    user = demo_user(username, first_name=full_name, is_staff=superuser, is_superuser=superuser)
    if role:
        RoleAssignment.objects.create(user=user, role=role, org=org)
    ctx.users[username] = user
    ctx.logins.append((username, Role(role).label if role else "系统管理员", org.name if org else "全部"))
    return user


def _street(i: int) -> tuple[str, str, str]:
    if i < len(STREETS):
        return STREETS[i]
    return f"第{i + 1}街道党工委", f"第{i + 1}街道", f"S{i + 1:02d}"


def seed(ctx) -> None:
    # A community branch committee serves five years (支部工作条例第二十一条): the current term began
    # two years before today, so 换届 is three years ahead whatever day the demo is built.
    term_start = date(ctx.today.year - 2, 7, 1)
    term_end = date(term_start.year + 5, 7, 1)
    n_streets = getattr(ctx, "n_streets", 1)
    if n_streets > 1:
        ctx.district = Org.objects.create(kind=OrgKind.DISTRICT, name="历下区委", short_name="历下区", code="LX",
                                          secretary=ctx.fake.name(), founded_on=date(1955, 6, 1))
    for s in range(n_streets):
        name, short, code = _street(s)
        street = Org.objects.create(kind=OrgKind.STREET, name=name, short_name=short, code=code, parent=ctx.district,
                                    secretary=ctx.fake.name(), founded_on=date(1998, 6, 1), sort=s)
        ctx.streets.append(street)
        for i in range(ctx.n_communities):
            # Names run on across the district's streets, so no two communities share one.
            n = s * ctx.n_communities + i
            base = COMMUNITY_NAMES[n % len(COMMUNITY_NAMES)] + ("" if n < len(COMMUNITY_NAMES) else str(n // len(COMMUNITY_NAMES) + 1))
            community = Org.objects.create(
                kind=OrgKind.GENERAL_BRANCH, name=f"{base}社区党总支", short_name=f"{base}社区", code=f"{code}{i + 1:02d}",
                parent=street, secretary=ctx.fake.name(), founded_on=date(2003, 3, 1),
                term_started_on=term_start, term_ends_on=term_end, sort=i)
            demo = DemoCommunity(org=community, detailed=(n == 0))
            for b, bname in enumerate(BRANCHES):
                branch = Org.objects.create(kind=OrgKind.BRANCH, name=bname, code=f"{community.code}-{b + 1}",
                                            parent=community, secretary=ctx.fake.name(), founded_on=date(2003, 3, 1),
                                            term_started_on=term_start, term_ends_on=term_end, sort=b)
                demo.branches.append(branch)
                for g, gname in enumerate(GROUPS if b >= 1 else []):
                    demo.groups.append(Org.objects.create(kind=OrgKind.GROUP, name=gname, code=f"{branch.code}-{g + 1}",
                                                          parent=branch, founded_on=date(2010, 1, 1), sort=g))
            ctx.communities.append(demo)
    ctx.street = ctx.streets[0]

    hp = ctx.communities[0]
    _user(ctx, "admin", "系统管理员", None, None, superuser=True)
    if ctx.district is not None:
        _user(ctx, "quwei", ctx.fake.name(), Role.DISTRICT_ADMIN, ctx.district)
    # People's names on the accounts (the community secretary's is set from the roster in members/demo).
    _user(ctx, "jiedao", ctx.fake.name(), Role.STREET_ADMIN, ctx.street)
    _user(ctx, "shuji", hp.org.secretary, Role.COMMUNITY_SECRETARY, hp.org)
    _user(ctx, "dangwu", ctx.fake.name(), Role.PARTY_WORKER, hp.org)
    _user(ctx, "zhibu1", ctx.fake.name(), Role.PARTY_WORKER, hp.branches[0])
    _user(ctx, "zhibu2", ctx.fake.name(), Role.PARTY_WORKER, hp.branches[1])
    _user(ctx, "wangge1", ctx.fake.name(), Role.GRID_WORKER, hp.org)
    _user(ctx, "wangge2", ctx.fake.name(), Role.GRID_WORKER, hp.org)
    if ctx.district is not None:
        _district_accounts(ctx)


def _district_accounts(ctx) -> None:
    """Accounts of a district's other streets and generated communities, made in bulk with one
    password hash (hashing 1,000 passwords one by one would take minutes): jiedao-<street code>,
    and per community shuji-/dangwu-/wangge-<community code>."""
    User = get_user_model()
    password = password_hash()
    wanted: list[tuple[str, str, Org]] = [(f"jiedao-{st.code}", Role.STREET_ADMIN, st) for st in ctx.streets[1:]]
    for demo in ctx.communities:
        if demo.detailed:
            continue
        code = demo.org.code
        wanted += [(f"shuji-{code}", Role.COMMUNITY_SECRETARY, demo.org), (f"dangwu-{code}", Role.PARTY_WORKER, demo.org),
                   (f"wangge-{code}", Role.GRID_WORKER, demo.org)]
    User.objects.bulk_create([User(username=u, password=password, first_name=ctx.fake.name()) for u, _, _ in wanted],
                             batch_size=1000)
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _, _ in wanted])}
    RoleAssignment.objects.bulk_create([RoleAssignment(user=users[u], role=role, org=org) for u, role, org in wanted],
                                       batch_size=1000)
    ctx.users.update(users)
    second = ctx.communities[1].org if len(ctx.communities) > 1 else None
    if len(ctx.streets) > 1:
        ctx.logins.append((f"jiedao-{ctx.streets[1].code}", f"{Role.STREET_ADMIN.label}（每个街道一个）", ctx.streets[1].name))
    if second is not None:
        for prefix, role in (("shuji", Role.COMMUNITY_SECRETARY), ("dangwu", Role.PARTY_WORKER), ("wangge", Role.GRID_WORKER)):
            ctx.logins.append((f"{prefix}-{second.code}", f"{Role(role).label}（每个社区一个）", second.name))
