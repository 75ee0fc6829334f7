"""Scope: which part of the org tree a user may see and change. Its only owner: every view,
export and command goes through here, and apps add no copies.

A user with a record role (街道管理员/社区书记/党务工作者) sees the subtree of each org their
roles are bound to. A 党员 account sees only its own records; a 网格员 sees only its grids
(the grid app names the grid of each row, `GridScopedQuerySet`). Superusers see everything.

- `OrgScopedQuerySet`: a model's queryset names the path from a row to its org (`scope_field`)
  and gets `visible_to(user)` and `in_org(org)`.
- `get_visible_or_404(queryset, request, pk, write=...)`: the one way an id becomes a row.
- `org_and_period(request)`: the one way a page picks its org and period.
- `may_keep_records`, `may_sign`, `may_view_pii`: who may do what, by what it allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from dangjian.lib.periods import Period

from .models import ADMIN_ROLES, PII_ROLES, RECORD_ROLES, SIGN_ROLES, AccessLog, Org, Role


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


def nearby(orgs, org: Org | None, user=None):
    """A page's org picker: of `orgs` (the user's visible ones), the way down to `org` (its
    ancestors), its siblings and its children — without one, the user's top orgs and their
    children. A district has thousands of 党支部: one picks a street, then a community, then a
    branch, each list a few dozen long, not one list of thousands."""
    if org is None:
        tops = [o.pk for o in top_orgs(user)]
        return orgs.filter(Q(pk__in=tops) | Q(parent_id__in=tops))
    ancestors = [int(p) for p in org.path.strip(".").split(".")]
    siblings = Q(parent_id=org.parent_id) if org.parent_id else Q(parent__isnull=True)
    return orgs.filter(Q(pk__in=ancestors) | Q(parent_id=org.pk) | siblings)


def top_orgs(user, roles=RECORD_ROLES) -> list[Org]:
    scope = scope_of(user)
    if scope.everything:
        return list(Org.objects.filter(parent__isnull=True))
    return scope.roots(roles)


def has_role(user, *roles: str, org: Org | None = None) -> bool:
    scope = scope_of(user)
    if scope.everything:
        return True
    if org is None:
        return any(scope.roots_by_role.get(r) for r in roles)
    return any(org.path.startswith(root.path) for r in roles for root in scope.roots_by_role.get(r, []))


# ---------------------------------------------------------------------------------------------
# Who may do what, named by what it allows


def may_keep_records(user, org: Org | None = None) -> bool:
    """Record, change and draft (街道管理员/社区书记/党务工作者): inside `org`'s subtree, or anywhere."""
    return has_role(user, *RECORD_ROLES, org=org)


def may_sign(user, org: Org) -> bool:
    """Sign off: send back records, close problems, finalise reports, edit the org itself."""
    return has_role(user, *SIGN_ROLES, org=org)


def may_view_pii(user, org: Org) -> bool:
    """See a full ID number or phone of someone in `org` (each view is logged)."""
    return has_role(user, *PII_ROLES, org=org)


def may_set_deployment_rules(user) -> bool:
    """Change the rules every organisation of this deployment follows (meeting frequencies, grid
    rules): the administrator of a top organisation (区级管理员 of the district, 街道管理员 of a street
    that has none above it) or a superuser."""
    scope = scope_of(user)
    return scope.everything or any(o.parent_id is None for r in ADMIN_ROLES for o in scope.roots_by_role.get(r, []))


def require_record_keeper(user, org: Org | None = None) -> None:
    """403 unless the user keeps records (in `org`'s subtree when given)."""
    if not may_keep_records(user, org):
        raise PermissionDenied("只有本组织的党务人员可以进行此操作")


# ---------------------------------------------------------------------------------------------
# The scoped queryset


class OrgScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to an org, named by `scope_field` (the lookup path from a row
    to its Org, e.g. "org", "plan__org", "household__grid__community"; a tuple when a row may hang
    from either of two paths). `own_field` (the path to a user account) lets a 党员 account see
    its own rows; a subclass adds other ways in by overriding `also_visible`."""

    scope_field: str | tuple[str, ...] = "org"
    own_field: str | None = None
    # A row seen exactly when its parent is (an attachment and its activity): the path to it.
    scope_through: str | None = None
    # A way in that crosses a many-to-many (a campaign's grids) would repeat rows: filter by pk.
    scope_crosses_many = False

    def _parent(self) -> OrgScopedQuerySet:
        model = self.model
        for name in self.scope_through.split("__"):
            model = model._meta.get_field(name).related_model
        return model._default_manager.all()

    def scope_fields(self) -> tuple[str, ...]:
        if self.scope_through:
            return tuple(f"{self.scope_through}__{path}" for path in self._parent().scope_fields())
        return (self.scope_field,) if isinstance(self.scope_field, str) else tuple(self.scope_field)

    def visible_to(self, user):
        if scope_of(user).everything:
            return self.all()
        if self.scope_through:
            return self.filter(**{f"{self.scope_through}__in": self._parent().visible_to(user)})
        q = self.subtree_q(user)
        if self.own_field and scope_of(user).roots_by_role.get(Role.MEMBER):
            q |= Q(**{self.own_field: user})
        q |= self.also_visible(user)
        if self.scope_crosses_many:
            return self.filter(pk__in=self.filter(q).values("pk"))
        return self.filter(q)

    def subtree_q(self, user) -> Q:
        """Rows inside the user's record subtrees (a subclass may name the same rows otherwise)."""
        q = Q(pk__in=[])
        for path in self.scope_fields():
            q |= path_q(user, path)
        return q

    def also_visible(self, user) -> Q:
        """Rows the user sees besides their record subtree (none unless a subclass says)."""
        return Q(pk__in=[])

    def in_org(self, org: Org):
        return self.filter(self.org_q(org))

    def org_q(self, org: Org) -> Q:
        """Rows inside `org`'s subtree (a subclass may name the same rows otherwise)."""
        q = Q(pk__in=[])
        for path in self.scope_fields():
            q |= Q(**{f"{path}__path__startswith": org.path})
        return q


def org_of(row, queryset: OrgScopedQuerySet) -> Org | None:
    """The org a row belongs to, following the queryset's `scope_field` (the first path that
    reaches one)."""
    for path in queryset.scope_fields():
        target = row
        for name in path.split("__"):
            target = getattr(target, name, None)
            if target is None:
                break
        if target is not None:
            return target
    return None


def get_visible_or_404(queryset, request, pk, *, write: bool = False):
    """The one way a view turns an id into a row: 404 unless the row is visible to the user
    (`queryset.visible_to`, or the queryset as given when it is not org-scoped, e.g. the
    user's own notifications); with `write=True` also 403 unless the user keeps records in
    the row's org."""
    if isinstance(queryset, type):  # a model
        queryset = queryset._default_manager.all()
    scoped = queryset.visible_to(request.user) if isinstance(queryset, OrgScopedQuerySet) else queryset
    try:
        row = scoped.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"{queryset.model._meta.verbose_name}不存在或无权查看") from exc
    if write:
        require_record_keeper(request.user, org_of(row, queryset) if isinstance(queryset, OrgScopedQuerySet) else None)
    return row


def get_org_for_user(request, pk) -> Org:
    """An org id from a request: 404 outside the user's subtree."""
    return get_visible_or_404(visible_orgs(request.user), request, pk)


def request_org(request, param: str = "org") -> Org:
    """The org a record keeper's page is about: 403 for a user who keeps records nowhere; then
    `?org=` (404 outside the user's subtree), else — the one fallback — the first org the user
    keeps records for (their own top org)."""
    require_record_keeper(request.user)
    if request.GET.get(param):
        return get_org_for_user(request, request.GET[param])
    return top_orgs(request.user)[0]


def request_period(request, kind: str = "quarter", default: Period | None = None) -> Period:
    """The period a page is about: `?period=`, else `default`, else the `kind` containing today."""
    try:
        return Period.parse(request.GET["period"])
    except (KeyError, ValueError):
        return default or Period.of(timezone.localdate(), kind)  # type: ignore[arg-type]


def org_and_period(request, kind: str = "quarter", default: Period | None = None) -> tuple[Org, Period]:
    """The org and period of a page (see `request_org` and `request_period`)."""
    return request_org(request), request_period(request, kind, default)


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
    "Role", "Scope", "scope_of", "path_q", "visible_orgs", "top_orgs", "has_role", "may_keep_records", "may_sign",
    "may_view_pii", "require_record_keeper", "OrgScopedQuerySet", "org_of", "get_visible_or_404", "get_org_for_user",
    "request_org", "request_period", "org_and_period", "log_access",
]
