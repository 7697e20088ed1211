from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.reference.models import Module

from . import selectors, services
from .forms import (
    AcceptInvitationForm,
    AgentModulesForm,
    EnterpriseProfileForm,
    InvitationForm,
    RegistrationForm,
)
from .models import Invitation
from .roles import ENTERPRISE_ROLES, role_of


def enterprise_required(owner_only: bool = False):
    """Only signed-in members of an enterprise; owners only where asked."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            membership = selectors.membership_of(request.user)
            if membership is None or (owner_only and not membership.is_owner):
                raise PermissionDenied
            request.membership = membership
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@login_required
def home(request):
    """Where a user lands after signing in, by role."""
    if role_of(request.user) in ENTERPRISE_ROLES:
        return redirect("accounts:workspace")
    if request.user.has_perm("wagtailadmin.access_admin"):
        return redirect("wagtailadmin_home")
    return redirect("/")


def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = services.register_enterprise(
            username=data["username"],
            password=data["password1"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            uscc=data["uscc"],
            address=data["address"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            trade_registration_number=data["trade_registration_number"],
        )
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("%(name)s is registered. You are signed in as its owner.")
            % {"name": membership.enterprise.name_zh},
        )
        return redirect("accounts:workspace")
    return render(request, "accounts/register.html", {"form": form})


@enterprise_required()
def workspace(request):
    membership = request.membership
    granted = set(membership.granted_modules())
    modules = [(value, label, value in granted) for value, label in Module.choices]
    from . import second_factor

    return render(
        request,
        "accounts/workspace.html",
        {
            "membership": membership,
            "enterprise": membership.enterprise,
            "modules": modules,
            "second_factor_enrolled": second_factor.is_enrolled(request.user),
        },
    )


@enterprise_required()
def profile(request):
    membership = request.membership
    form = None
    if membership.is_owner:
        form = EnterpriseProfileForm(request.POST or None, instance=membership.enterprise)
        if request.method == "POST" and form.is_valid():
            services.update_enterprise_profile(owner=request.user, **form.cleaned_data)
            messages.success(request, _("The enterprise details are saved."))
            return redirect("accounts:profile")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "accounts/profile.html",
        {"enterprise": membership.enterprise, "form": form, "membership": membership},
    )


@enterprise_required(owner_only=True)
def agents(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = services.invite_agent(
            owner=request.user,
            accept_url_base=request.build_absolute_uri("/")[:-1],
            **form.cleaned_data,
        )
        messages.success(
            request,
            _("Invitation sent to %(email)s. You can also give the agent the link below.")
            % {"email": invitation.email},
        )
        return redirect("accounts:agents")
    agent_rows = [
        (agent, AgentModulesForm(initial={"modules": agent.granted_modules()}, prefix=agent.pk))
        for agent in selectors.agents_of_enterprise(owner=request.user)
    ]
    return render(
        request,
        "accounts/agents.html",
        {
            "form": form,
            "agent_rows": agent_rows,
            "invitations": selectors.open_invitations(owner=request.user),
        },
    )


@require_POST
@enterprise_required(owner_only=True)
def agent_modules(request, membership_id: int):
    agent = selectors.agent_for_owner(owner=request.user, membership_id=membership_id)
    form = AgentModulesForm(request.POST, prefix=agent.pk)
    if form.is_valid():
        services.set_agent_modules(
            owner=request.user, agent=agent, modules=form.cleaned_data["modules"]
        )
        messages.success(
            request, _("Modules of %(user)s are saved.") % {"user": agent.user.username}
        )
    else:
        messages.error(request, _("Choose modules from the list."))
    return redirect("accounts:agents")


@require_POST
@enterprise_required(owner_only=True)
def agent_active(request, membership_id: int):
    agent = selectors.agent_for_owner(owner=request.user, membership_id=membership_id)
    active = request.POST.get("active") == "1"
    services.set_agent_active(owner=request.user, agent=agent, active=active)
    if active:
        message = _("%(user)s can sign in again.")
    else:
        message = _("%(user)s can no longer sign in.")
    messages.success(request, message % {"user": agent.user.username})
    return redirect("accounts:agents")


@require_POST
@enterprise_required(owner_only=True)
def invitation_cancel(request, invitation_id: int):
    invitation = selectors.invitation_for_owner(owner=request.user, invitation_id=invitation_id)
    services.cancel_invitation(invitation=invitation)
    messages.success(request, _("The invitation is cancelled; its link no longer works."))
    return redirect("accounts:agents")


def accept_invitation(request, token: str):
    invitation = get_object_or_404(Invitation.objects.select_related("enterprise"), token=token)
    if not invitation.is_open:
        return render(request, "accounts/invitation_closed.html", status=410)
    if request.user.is_authenticated:
        messages.error(request, _("Sign out first to accept an invitation for a new account."))
        return redirect("accounts:home")
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept_invitation(
            invitation=invitation,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
        )
        messages.success(request, _("Your account is ready. Sign in with it now."))
        return redirect("accounts:login")
    return render(
        request,
        "accounts/accept_invitation.html",
        {
            "form": form,
            "invitation": invitation,
            "module_labels": [Module(m).label for m in invitation.modules],
        },
    )


def _safe_next(request, default):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def second_factor_enrol(request):
    """QR code and secret; a code confirms; the recovery codes are shown once."""
    from . import second_factor

    if second_factor.is_enrolled(request.user) and not second_factor.is_verified(request):
        # Replacing an authenticator takes the current one: a password alone is not enough.
        return redirect(
            reverse("accounts:second-factor") + "?" + urlencode({"next": request.get_full_path()})
        )
    device = second_factor.pending_device(request.user)
    error = None
    if request.method == "POST":
        wait = second_factor.wait_seconds(request.user, pending=True)
        codes = second_factor.confirm_enrolment(request, request.POST.get("token", ""))
        if codes is not None:
            return render(
                request,
                "accounts/second_factor_codes.html",
                {"codes": codes, "next": _safe_next(request, "/accounts/home/")},
            )
        error = (
            _throttled(wait)
            if wait
            else _("That code is not right. Type the six digits the app shows now.")
        )
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "qr": second_factor.qr_svg(device),
            "secret": second_factor.secret_of(device),
            "error": error,
            "already": second_factor.is_enrolled(request.user),
            "next": _safe_next(request, ""),
        },
    )


def _throttled(seconds: int) -> str:
    return ngettext(
        "After a wrong code the authenticator waits a moment: try again in %(n)d second.",
        "After a wrong code the authenticator waits a moment: try again in %(n)d seconds.",
        seconds,
    ) % {"n": seconds}


@login_required
def second_factor_verify(request):
    """A code from the authenticator, or one recovery code."""
    from . import second_factor

    if not second_factor.is_enrolled(request.user):
        return redirect("accounts:second-factor-enrol")
    error = None
    if request.method == "POST":
        wait = second_factor.wait_seconds(request.user)
        if second_factor.verify(request, request.POST.get("token", "")):
            return redirect(_safe_next(request, "/accounts/home/"))
        error = (
            _throttled(wait)
            if wait
            else _("That code is not right, or the recovery code was already used.")
        )
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"error": error, "next": _safe_next(request, "")},
    )
