"""Scope: which part of the org tree a user may see. Every app's queries go through here.

A user with a record role (街道管理员/社区书记/党务工作者) sees the subtree of each org their
roles are bound to. A 党员 account sees only its own records; a 网格员 sees only its grids
(the grid app scopes those). Superusers see everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from .models import PII_ROLES, RECORD_ROLES, SIGN_ROLES, AccessLog, Org, Role


@dataclass
class Scope:
    everything: bool = False
    roots_by_role: dict[str, list[Org]] = field(default_factory=dict)

    def roots(self, roles=RECORD_ROLES) -> list[Org]:
        orgs = sorted({o for r in roles for o in self.roots_by_role.get(r, [])}, key=lambda o: o.path)
        # Drop nested roots: a subtree already inside another adds nothing.
        kept: list[Org] = []
        for org in orgs:
            if not any(org.path.startswith(k.path) for k in kept):
                kept.append(org)
        return kept


def scope_of(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached = getattr(user, "_dangjian_scope", None)
    if cached is not None:
        return cached
    scope = Scope()
    if user.is_authenticated and user.is_superuser:
        scope.everything = True
    elif user.is_authenticated:
        for ra in user.roles.select_related("org"):
            scope.roots_by_role.setdefault(ra.role, []).append(ra.org)
    user._dangjian_scope = scope
    return scope


def path_q(user, field: str = "org", roles=RECORD_ROLES) -> Q:
    """A Q that keeps rows whose `field` org lies inside the user's subtrees for these roles."""
    scope = scope_of(user)
    if scope.everything:
        return Q()
    roots = scope.roots(roles)
    if not roots:
        return Q(pk__in=[])
    key = f"{field}__path__startswith" if field else "path__startswith"
    q = Q()
    for root in roots:
        q |= Q(**{key: root.path})
    return q


def visible_orgs(user, roles=RECORD_ROLES):
    return Org.objects.filter(path_q(user, field="", roles=roles))


def top_orgs(user, roles=RECORD_ROLES) -> list[Org]:
    scope = scope_of(user)
    if scope.everything:
        return list(Org.objects.filter(parent__isnull=True))
    return scope.roots(roles)


def can_see_org(user, org: Org, roles=RECORD_ROLES) -> bool:
    scope = scope_of(user)
    return scope.everything or any(org.path.startswith(r.path) for r in scope.roots(roles))


def has_role(user, *roles: str, org: Org | None = None) -> bool:
    scope = scope_of(user)
    if scope.everything:
        return True
    if org is None:
        return any(scope.roots_by_role.get(r) for r in roles)
    return any(org.path.startswith(root.path) for r in roles for root in scope.roots_by_role.get(r, []))


def can_view_pii(user, org: Org) -> bool:
    return has_role(user, *PII_ROLES, org=org)


def can_sign(user, org: Org) -> bool:
    return has_role(user, *SIGN_ROLES, org=org)


def is_record_keeper(user) -> bool:
    return has_role(user, *RECORD_ROLES)


def get_org_for_user(request, pk) -> Org:
    """The one way a view turns an org id into an org: 404 outside the user's subtree."""
    try:
        return visible_orgs(request.user).get(pk=pk)
    except (Org.DoesNotExist, ValueError) as exc:
        raise Http404("组织不存在或无权查看") from exc


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def log_access(request_or_user, action: str, target, *, ip: str | None = None) -> AccessLog:
    """Record a full view or export of personal data."""
    user = getattr(request_or_user, "user", request_or_user)  # None: the command line
    if hasattr(request_or_user, "META"):
        ip = client_ip(request_or_user)
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        action=action,
        target=str(target)[:200],
        object_type=type(target).__name__ if not isinstance(target, str) else "",
        object_id=str(getattr(target, "pk", "") or ""),
        ip=ip,
    )


__all__ = [
    "Role", "Scope", "scope_of", "path_q", "visible_orgs", "top_orgs", "can_see_org", "has_role",
    "can_view_pii", "can_sign", "is_record_keeper", "get_org_for_user", "log_access",
]
