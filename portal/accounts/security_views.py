"""Back-office pages of account security: second factors, locked-out sign-ins, the account log.

For superusers (every account) and authority administrators (their authority's
staff); the selectors scope every list, the services check again and write the
account event.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.pagination import paginate, url_pattern

from . import selectors, services


def may_administer_accounts(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or getattr(user, "authority_admin", None) is not None)
    )


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


class AccountAdminView(WagtailAdminTemplateMixin, TemplateView):
    def dispatch(self, request, *args, **kwargs):
        if not may_administer_accounts(request.user):
            raise PermissionDenied
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Find the object the page is about, once the user may see the page at all."""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


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


class SecondFactorResetView(AccountAdminView):
    """Asks for the reason and a confirmation; the service checks and writes the event."""

    page_title = gettext_lazy("Reset a second factor")
    header_icon = "key"
    template_name = "accounts/admin/second_factor_reset.html"

    def load(self, **kwargs) -> None:
        # An account the administrator does not look after does not exist for it (404).
        self.account = selectors.administered_account(
            user=self.request.user, account_id=kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "account": self.account,
            "reason": kwargs.get("reason", ""),
            "errors": kwargs.get("errors", []),
        }

    def post(self, request, *args, **kwargs):
        reason = request.POST.get("reason", "")
        if request.POST.get("confirm") != "yes":
            return self.render_to_response(
                self.get_context_data(
                    reason=reason, errors=[_("Tick the box to confirm the reset.")]
                )
            )
        try:
            services.reset_second_factor(actor=request.user, account=self.account, reason=reason)
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(reason=reason, errors=_messages_of(error))
            )
        messages.success(
            request,
            _("The second factor of %(user)s is reset: a new one is set up at the next sign-in.")
            % {"user": self.account.get_username()},
        )
        return redirect("second_factors")


class LockoutListView(AccountAdminView):
    page_title = gettext_lazy("Locked-out sign-ins")
    header_icon = "lock"
    template_name = "accounts/admin/lockouts.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "lockouts": selectors.locked_out_sign_ins(self.request.user),
        }


class LockoutUnlockView(AccountAdminView):
    """Asks for the reason and a confirmation, then lifts one lockout (axes' own reset)."""

    page_title = gettext_lazy("Unlock a sign-in")
    header_icon = "lock-open"
    template_name = "accounts/admin/lockout_unlock.html"

    def load(self, **kwargs) -> None:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        self.username = data.get("username", "")[:255]
        self.ip_address = data.get("ip_address", "")[:45]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "username": self.username,
            "ip_address": self.ip_address,
            "reason": kwargs.get("reason", ""),
            "errors": kwargs.get("errors", []),
        }

    def post(self, request, *args, **kwargs):
        reason = request.POST.get("reason", "")
        if request.POST.get("confirm") != "yes":
            return self.render_to_response(
                self.get_context_data(
                    reason=reason, errors=[_("Tick the box to confirm the unlock.")]
                )
            )
        try:
            services.unlock_sign_in(
                actor=request.user,
                username=self.username,
                ip_address=self.ip_address,
                reason=reason,
            )
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(reason=reason, errors=_messages_of(error))
            )
        messages.success(
            request,
            _("%(user)s may sign in again from %(ip)s.")
            % {"user": self.username, "ip": self.ip_address},
        )
        return redirect("lockouts")


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
