"""Demo org tree: 新华街道党工委 → 和平社区党总支 → 4 党支部 → 党小组, plus accounts."""

from datetime import date

from django.contrib.auth import get_user_model

from dangjian.demo import DEMO_PASSWORD, DemoCommunity

from .models import Org, OrgKind, Role, RoleAssignment

COMMUNITY_NAMES = ["和平", "光明", "幸福", "建设", "新华", "民主", "团结", "友谊", "胜利", "朝阳",
                   "东风", "红旗", "振兴", "长青", "春晖", "育才", "兴华", "康乐", "安居", "锦绣",
                   "丰收", "永安", "文化", "富强", "繁荣"]
BRANCHES = ["第一党支部", "第二党支部", "第三党支部", "第四党支部"]
GROUPS = ["第一党小组", "第二党小组"]


def _user(ctx, username, full_name, role, org, *, superuser=False):
    User = get_user_model()
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, first_name=full_name,
                                    is_staff=superuser, is_superuser=superuser)
    if role:
        RoleAssignment.objects.create(user=user, role=role, org=org)
    ctx.users[username] = user
    ctx.logins.append((username, Role(role).label if role else "系统管理员", org.name if org else "全部"))
    return user


def seed(ctx) -> None:
    # A community branch committee serves five years (支部工作条例第二十一条): the current term began
    # two years before today, so 换届 is three years ahead whatever day the demo is built.
    term_start = date(ctx.today.year - 2, 7, 1)
    term_end = date(term_start.year + 5, 7, 1)
    street = Org.objects.create(kind=OrgKind.STREET, name="新华街道党工委", short_name="新华街道", code="XH",
                                secretary=ctx.fake.name(), founded_on=date(1998, 6, 1))
    ctx.street = street
    for i in range(ctx.n_communities):
        base = COMMUNITY_NAMES[i % len(COMMUNITY_NAMES)] + ("" if i < len(COMMUNITY_NAMES) else str(i // len(COMMUNITY_NAMES) + 1))
        community = Org.objects.create(
            kind=OrgKind.GENERAL_BRANCH, name=f"{base}社区党总支", short_name=f"{base}社区", code=f"XH{i + 1:02d}",
            parent=street, secretary=ctx.fake.name(), founded_on=date(2003, 3, 1),
            term_started_on=term_start, term_ends_on=term_end, sort=i)
        demo = DemoCommunity(org=community, detailed=(i == 0))
        for b, name in enumerate(BRANCHES):
            branch = Org.objects.create(kind=OrgKind.BRANCH, name=name, code=f"{community.code}-{b + 1}",
                                        parent=community, secretary=ctx.fake.name(), founded_on=date(2003, 3, 1),
                                        term_started_on=term_start, term_ends_on=term_end, sort=b)
            demo.branches.append(branch)
            for g, gname in enumerate(GROUPS if b >= 1 else []):
                demo.groups.append(Org.objects.create(kind=OrgKind.GROUP, name=gname, code=f"{branch.code}-{g + 1}",
                                                      parent=branch, founded_on=date(2010, 1, 1), sort=g))
        ctx.communities.append(demo)

    hp = ctx.communities[0]
    _user(ctx, "admin", "系统管理员", None, None, superuser=True)
    # People's names on the accounts (the community secretary's is set from the roster in members/demo).
    _user(ctx, "jiedao", ctx.fake.name(), Role.STREET_ADMIN, street)
    _user(ctx, "shuji", hp.org.secretary, Role.COMMUNITY_SECRETARY, hp.org)
    _user(ctx, "dangwu", ctx.fake.name(), Role.PARTY_WORKER, hp.org)
    _user(ctx, "zhibu1", ctx.fake.name(), Role.PARTY_WORKER, hp.branches[0])
    _user(ctx, "zhibu2", ctx.fake.name(), Role.PARTY_WORKER, hp.branches[1])
    _user(ctx, "wangge1", ctx.fake.name(), Role.GRID_WORKER, hp.org)
    _user(ctx, "wangge2", ctx.fake.name(), Role.GRID_WORKER, hp.org)
