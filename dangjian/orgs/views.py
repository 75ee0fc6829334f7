from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.lib.web import error_text
from dangjian.members.models import Member

from . import services
from .forms import AccountForm, OrgForm, PasswordChangeForm, RoleForm
from .models import AccountLog, RoleAssignment
from .scoping import get_org_for_user, get_visible_or_404, may_keep_records, may_sign, path_q, visible_orgs

TERM_WARNING = timedelta(days=180)  # 换届 is prepared months ahead: flag terms ending within half a year


@login_required
def org_list(request):
    """The org tree the user can see, with member counts and 换届 dates."""
    if not may_keep_records(request.user):
        raise PermissionDenied
    orgs = list(visible_orgs(request.user).select_related("parent"))
    today = timezone.localdate()
    path_of = {o.pk: o.path for o in orgs}
    direct = Member.objects.current().filter(org__in=orgs).values_list("org_id").annotate(n=Count("pk"))
    totals = dict.fromkeys(path_of, 0)
    for org_id, n in direct:  # add each unit's members to it and every ancestor shown
        for o in orgs:
            if path_of[org_id].startswith(o.path):
                totals[o.pk] += n
    rows = []
    for org in orgs:
        term = ("overdue" if org.term_ends_on <= today else "soon" if org.term_ends_on - today <= TERM_WARNING
                else "") if org.term_ends_on else ""
        rows.append({"org": org, "members": totals[org.pk], "term": term, "pad": "　" * (org.depth - orgs[0].depth),
                     "can_edit": may_sign(request.user, org)})
    return render(request, "orgs/list.html", {"rows": rows, "today": today})


@login_required
def org_edit(request, pk):
    org = get_org_for_user(request, pk)
    if not may_sign(request.user, org):
        raise PermissionDenied("只有社区书记或街道管理员可以修改组织信息")
    form = OrgForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"已保存{org.name}")
        return redirect("org_list")
    history = org.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "orgs/edit.html", {"form": form, "org": org, "history": history})



class LoginView(auth_views.LoginView):
    """Django's login, which keeps the username typed and says how many tries remain before the lock."""

    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        credentials = {"username": form.data.get("username", "")}
        left = get_failure_limit(self.request, credentials) - AxesProxyHandler.get_failures(self.request, credentials)
        response.context_data["attempts_left"] = max(left, 0)
        return response


@login_required
def password_change(request):
    """The account holder changes their own password (the session stays logged in)."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_password_change(account=request.user, old=form.cleaned_data["old"],
                                             new=form.cleaned_data["new"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改")
            return redirect("dashboard")
    return render(request, "orgs/password.html", {"form": form})


def _manageable_orgs(user, role: str | None = None):
    """Orgs in the user's subtree where they may grant some role (or this role)."""
    orgs = visible_orgs(user).order_by("path")
    return orgs.model.objects.filter(pk__in=[o.pk for o in orgs if (services.grantable_roles(user, o) if role is None
                                                                    else role in services.grantable_roles(user, o))])


def _grantable_anywhere(user) -> list[str]:
    roots = visible_orgs(user).filter(depth=min(visible_orgs(user).values_list("depth", flat=True), default=0))
    return sorted({r for o in roots for r in services.grantable_roles(user, o)}, key=lambda r: -services.RANK[r])


def _require_account_manager(request) -> None:
    if not services.may_manage_accounts(request.user):
        raise PermissionDenied("只有街道管理员、社区书记和党务工作者可以管理账号")


@login_required
def account_list(request):
    """Accounts with a role inside the user's subtree, with what they may do to each."""
    _require_account_manager(request)
    accounts = (get_user_model().objects.filter(path_q(request.user, "roles__org")).distinct()
                .prefetch_related(Prefetch("roles", queryset=RoleAssignment.objects.select_related("org")))
                .order_by("-is_active", "username"))
    rows = [{"account": a, "manage": services.may_manage_account(request.user, a)} for a in accounts]
    return render(request, "orgs/account_list.html", {"rows": rows})


@login_required
def account_new(request):
    _require_account_manager(request)
    roles = _grantable_anywhere(request.user)
    orgs = _manageable_orgs(request.user)
    form = AccountForm(request.POST or None, roles=roles, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = services.account_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            request.session["account_password"] = [account.pk, password]
            return redirect("account_detail", account.pk)
    return render(request, "orgs/account_new.html", {"form": form})


def _get_account_for_manager(request, pk):
    """An account the user may manage; 404 for any other (its existence is not revealed)."""
    _require_account_manager(request)
    account = get_visible_or_404(get_user_model().objects.all(), request, pk)
    if not services.may_manage_account(request.user, account):
        raise Http404("账号不存在或无权管理")
    return account


@login_required
def account_detail(request, pk):
    account = _get_account_for_manager(request, pk)
    shown = request.session.pop("account_password", None)
    password = shown[1] if shown and shown[0] == account.pk else None
    role_form = RoleForm(roles=_grantable_anywhere(request.user), orgs=_manageable_orgs(request.user))
    logs = AccountLog.objects.filter(account=account).select_related("actor")[:50]
    grid_worker = account.roles.filter(role="grid_worker").exists()
    return render(request, "orgs/account_detail.html", {
        "account": account, "roles": account.roles.select_related("org"), "password": password,
        "role_form": role_form, "logs": logs, "grid_worker": grid_worker})


@login_required
@require_POST
def account_action(request, pk, action):
    """The account page's buttons: rename, add/remove a role, reset the password, disable/enable."""
    account = _get_account_for_manager(request, pk)
    try:
        if action == "rename":
            services.account_rename(by=request.user, account=account, name=request.POST.get("name", ""))
            messages.success(request, "已修改姓名")
        elif action == "role_add":
            form = RoleForm(request.POST, roles=_grantable_anywhere(request.user), orgs=_manageable_orgs(request.user))
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.account_role_add(by=request.user, account=account, **form.cleaned_data)
            messages.success(request, "已授予角色")
        elif action == "role_remove":
            raw = request.POST.get("assignment", "")
            assignment = account.roles.filter(pk=int(raw)).select_related("org").first() if raw.isdigit() else None
            if assignment is None:
                raise Http404("角色不存在")
            services.account_role_remove(by=request.user, assignment=assignment)
            messages.success(request, "已撤销角色")
        elif action == "reset_password":
            password = services.account_password_reset(by=request.user, account=account)
            request.session["account_password"] = [account.pk, password]
        elif action in ("disable", "enable"):
            services.account_set_active(by=request.user, account=account, active=action == "enable")
            messages.success(request, "已启用账号" if action == "enable" else "已停用账号：该账号不能再登录")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("account_detail", account.pk)
