from django.urls import NoReverseMatch, reverse

from .models import RECORD_ROLES, OrgKind, Role
from .scoping import scope_of

# Grids belong to communities: a record keeper bound to a 党支部/党小组 has none to survey.
BELOW_COMMUNITY = (OrgKind.BRANCH, OrgKind.GROUP)

# The main navigation: (url name, label, roles that see it; None = everyone). An entry whose
# URL does not exist (an app not installed) is skipped.
NAV = [
    ("dashboard", "首页", None),
    ("member_list", "党员名册", (*RECORD_ROLES, Role.MEMBER)),
    ("meeting_list", "组织生活", (*RECORD_ROLES, Role.MEMBER)),
    ("dues_home", "党费", (*RECORD_ROLES, Role.MEMBER)),
    ("grid_home", "网格摸排", (*RECORD_ROLES, Role.GRID_WORKER)),
    ("plan_list", "计划与整改", RECORD_ROLES),
    ("recruit_board", "发展党员", RECORD_ROLES),
    ("report_list", "述职报告", RECORD_ROLES),
    ("org_list", "组织架构", RECORD_ROLES),
    ("account_list", "账号管理", RECORD_ROLES),
]


def nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    items = []
    for name, label, roles in NAV:
        if roles is not None and not scope.everything and not any(scope.roots_by_role.get(r) for r in roles):
            continue
        if name == "grid_home" and not scope.everything and not scope.roots_by_role.get(Role.GRID_WORKER) and all(
                o.kind in BELOW_COMMUNITY for r in RECORD_ROLES for o in scope.roots_by_role.get(r, [])):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/" or request.path == url})
    role_labels = [Role(r).label for r in scope.roots_by_role] or (["系统管理员"] if scope.everything else [])
    orgs = [o.display_name for roots in scope.roots_by_role.values() for o in roots]
    return {"nav_items": items, "nav_roles": role_labels, "nav_orgs": orgs[:2]}
