"""Accounts, kept by the people who run the organisation: a 书记 adds the clerks and grid workers of
the community, assigns their roles, resets a forgotten password, disables an account. Every change
is an AccountLog row.

Who may do what: an account may grant only roles *below* its own highest role at that org
(街道管理员 > 社区书记 > 党务工作者 > 网格员/党员), inside its own subtree; it may manage an account only
when every role of that account is one it could have granted. So a clerk can never make anyone a 书记,
and no one can reset the password of a peer or of someone above them.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import AccountLog, Org, Role, RoleAssignment
from .scoping import scope_of

RANK = {Role.DISTRICT_ADMIN: 5, Role.STREET_ADMIN: 4, Role.COMMUNITY_SECRETARY: 3, Role.PARTY_WORKER: 2, Role.GRID_WORKER: 1, Role.MEMBER: 1}
# Readable temporary passwords: no 0/O, 1/l/I to misread when handed over on paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def rank_at(user, org: Org) -> int:
    """The user's highest role rank that covers `org` (its subtree includes org); 0 for none."""
    scope = scope_of(user)
    if scope.everything:
        return max(RANK.values()) + 1
    return max((RANK[Role(r)] for r, roots in scope.roots_by_role.items() for root in roots
                if org.path.startswith(root.path)), default=0)


def grantable_roles(user, org: Org) -> list[str]:
    """Roles the user may give at `org`: those strictly below their own there (none below 党务工作者's)."""
    rank = rank_at(user, org)
    return [r for r in Role.values if RANK[Role(r)] < rank and rank >= RANK[Role.PARTY_WORKER]]


def may_manage_accounts(user) -> bool:
    scope = scope_of(user)
    return scope.everything or any(RANK[Role(r)] >= RANK[Role.PARTY_WORKER] for r in scope.roots_by_role)


def may_manage_account(user, account) -> bool:
    """Whether `user` may change `account`: every role it holds is one `user` could grant."""
    if account.pk == user.pk or (account.is_superuser and not user.is_superuser):
        return False
    roles = list(account.roles.select_related("org"))
    if not roles:
        return user.is_superuser or AccountLog.objects.filter(account=account, actor=user,
                                                              action=AccountLog.Action.CREATE).exists()
    return all(ra.role in grantable_roles(user, ra.org) for ra in roles)


def temporary_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))


def _log(by, account, action: str, detail: str = "") -> None:
    AccountLog.objects.create(actor=by if getattr(by, "pk", None) else None, account=account, action=action,
                              detail=detail[:200])


def _check_grant(by, role: str, org: Org) -> None:
    if role not in grantable_roles(by, org):
        raise ValidationError(f"您不能在“{org.name}”授予“{Role(role).label}”角色：只能授予低于本人的角色，且限本组织及下级组织")


@transaction.atomic
def account_create(*, by, username: str, name: str, role: str, org: Org) -> tuple:
    """A new account with one role; returns (account, its temporary password, shown once)."""
    _check_grant(by, role, org)
    User = get_user_model()
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"用户名“{username}”已被使用")
    account = User(username=username, first_name=name.strip())
    account.full_clean(exclude=["password"])
    password = temporary_password()
    account.set_password(password)
    account.save()
    RoleAssignment.objects.create(user=account, role=role, org=org)
    _log(by, account, AccountLog.Action.CREATE, f"{name}（{username}），{Role(role).label}·{org.name}")
    return account, password


def _check_manage(by, account) -> None:
    if not may_manage_account(by, account):
        raise ValidationError("您无权管理该账号：它有不低于您的角色，或不在您的组织范围内")


@transaction.atomic
def account_rename(*, by, account, name: str) -> None:
    _check_manage(by, account)
    name = name.strip()
    if not name:
        raise ValidationError("姓名不能为空")
    if name != account.first_name:
        _log(by, account, AccountLog.Action.RENAME, f"{account.first_name or '（空）'} → {name}")
        account.first_name = name
        account.save(update_fields=["first_name"])


@transaction.atomic
def account_role_add(*, by, account, role: str, org: Org) -> RoleAssignment:
    _check_manage(by, account)
    _check_grant(by, role, org)
    if account.roles.filter(role=role, org=org).exists():
        raise ValidationError("该账号已有此角色")
    assignment = RoleAssignment.objects.create(user=account, role=role, org=org)
    _log(by, account, AccountLog.Action.ROLE_ADD, f"{Role(role).label}·{org.name}")
    return assignment


@transaction.atomic
def account_role_remove(*, by, assignment: RoleAssignment) -> None:
    account = assignment.user
    _check_manage(by, account)
    if account.roles.count() == 1:
        raise ValidationError("这是该账号唯一的角色；不再使用的账号请停用")
    _log(by, account, AccountLog.Action.ROLE_REMOVE, f"{assignment.get_role_display()}·{assignment.org.name}")
    assignment.delete()


@transaction.atomic
def account_password_reset(*, by, account) -> str:
    """A new temporary password for someone who forgot theirs; returns it (shown once)."""
    _check_manage(by, account)
    password = temporary_password()
    account.set_password(password)
    account.save(update_fields=["password"])
    _log(by, account, AccountLog.Action.RESET_PASSWORD)
    return password


@transaction.atomic
def account_set_active(*, by, account, active: bool) -> None:
    _check_manage(by, account)
    if account.is_active != active:
        account.is_active = active
        account.save(update_fields=["is_active"])
        _log(by, account, AccountLog.Action.ENABLE if active else AccountLog.Action.DISABLE)


@transaction.atomic
def account_password_change(*, account, old: str, new: str) -> None:
    """The account holder changes their own password."""
    if not account.check_password(old):
        raise ValidationError({"old": "原密码不正确"})
    try:
        validate_password(new, account)
    except ValidationError as exc:
        raise ValidationError({"new": exc.messages}) from exc
    account.set_password(new)
    account.save(update_fields=["password"])
    _log(account, account, AccountLog.Action.CHANGE_PASSWORD)
