"""Back-office pages of account security: second factors, locked-out sign-ins, the account log.

For superusers (every account) and authority administrators (their authority's
staff); the selectors scope every list, the services check again and write the
account event.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.pagination import paginate, url_pattern

from . import selectors, services
from .admin_views import GatedAdminView


def may_administer_accounts(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or getattr(user, "authority_admin", None) is not None)
    )


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


class AccountAdminView(GatedAdminView):
    def may_view(self, request) -> bool:
        return may_administer_accounts(request.user)


class ConfirmedActionView(AccountAdminView):
    """A page that asks for a reason and a ticked confirmation, then calls its service;
    refusals (the service's or the missing tick) come back on the page, reason kept."""

    confirm_error = ""  # the message when the box is not ticked
    done_url_name = ""

    def act(self, request, reason: str) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "reason": kwargs.get("reason", ""),
            "errors": kwargs.get("errors", []),
        }

    def post(self, request, *args, **kwargs):
        reason = request.POST.get("reason", "")
        if request.POST.get("confirm") != "yes":
            errors = [str(self.confirm_error)]
            return self.render_to_response(self.get_context_data(reason=reason, errors=errors))
        try:
            done = self.act(request, reason)
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(reason=reason, errors=_messages_of(error))
            )
        messages.success(request, done)
        return redirect(self.done_url_name)


class SecondFactorListView(AccountAdminView):
    page_title = gettext_lazy("Second factors")
    header_icon = "key"
    template_name = "accounts/admin/second_factors.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "")[:100]
        state = self.request.GET.get("state", "")
        if state not in ("", "enrolled", "not"):
            state = ""
        page, problem = paginate(
            self.request,
            selectors.accounts_with_second_factor(self.request.user, query=query, state=state),
            ("username", "pk"),
        )
        if problem:
            messages.warning(self.request, problem)
        reset_url = url_pattern("second_factor_reset")
        rows = [(account, reset_url(account.pk)) for account in page]
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "rows": rows,
            "query": query,
            "state": state,
        }


class SecondFactorResetView(ConfirmedActionView):
    """Asks for the reason and a confirmation; the service checks and writes the event."""

    page_title = gettext_lazy("Reset a second factor")
    header_icon = "key"
    template_name = "accounts/admin/second_factor_reset.html"
    confirm_error = gettext_lazy("Tick the box to confirm the reset.")
    done_url_name = "second_factors"

    def load(self, **kwargs) -> None:
        # An account the administrator does not look after does not exist for it (404).
        self.account = selectors.administered_account(
            user=self.request.user, account_id=kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account}

    def act(self, request, reason: str) -> str:
        services.reset_second_factor(actor=request.user, account=self.account, reason=reason)
        return _(
            "The second factor of %(user)s is reset: a new one is set up at the next sign-in."
        ) % {"user": self.account.get_username()}


class LockoutListView(AccountAdminView):
    page_title = gettext_lazy("Locked-out sign-ins")
    header_icon = "lock"
    template_name = "accounts/admin/lockouts.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "lockouts": selectors.locked_out_sign_ins(self.request.user),
        }


class LockoutUnlockView(ConfirmedActionView):
    """Asks for the reason and a confirmation, then lifts one lockout (axes' own reset)."""

    page_title = gettext_lazy("Unlock a sign-in")
    header_icon = "lock-open"
    template_name = "accounts/admin/lockout_unlock.html"
    confirm_error = gettext_lazy("Tick the box to confirm the unlock.")
    done_url_name = "lockouts"

    def load(self, **kwargs) -> None:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        self.username = data.get("username", "")[:255]
        self.ip_address = data.get("ip_address", "")[:45]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "username": self.username,
            "ip_address": self.ip_address,
        }

    def act(self, request, reason: str) -> str:
        services.unlock_sign_in(
            actor=request.user, username=self.username, ip_address=self.ip_address, reason=reason
        )
        return _("%(user)s may sign in again from %(ip)s.") % {
            "user": self.username,
            "ip": self.ip_address,
        }


class AccountEventListView(AccountAdminView):
    page_title = gettext_lazy("Account log")
    header_icon = "history"
    template_name = "accounts/admin/account_events.html"

    def get_context_data(self, **kwargs):
        page, problem = paginate(
            self.request,
            selectors.account_events_for_admin(self.request.user),
            ("-created_at", "-pk"),
        )
        if problem:
            messages.warning(self.request, problem)
        return {**super().get_context_data(**kwargs), "page": page}
