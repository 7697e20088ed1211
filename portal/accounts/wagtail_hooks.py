from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from .admin_views import (
    JurisdictionEnterprisesView,
    RegulatorCreateView,
    RegulatorEditView,
    RegulatorListView,
)
from .roles import Role, role_of
from .security_views import (
    AccountEventListView,
    LockoutListView,
    LockoutUnlockView,
    SecondFactorListView,
    SecondFactorResetView,
    may_administer_accounts,
)
from .selectors import administrable_region

# Approvers' and authority administrators' pages belong to the mechanism
# (workflows), which registers them itself.
ROLE_PAGES = [
    # (role, url name, path, view, label, icon, order)
    (
        Role.REGULATOR,
        "jurisdiction_enterprises",
        "jurisdiction/enterprises/",
        JurisdictionEnterprisesView,
        _("Enterprises in my jurisdiction"),
        "site",
        100,
    ),
]


class RoleMenuItem(MenuItem):
    def __init__(self, role, *args, **kwargs):
        self.role = role
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return role_of(request.user) == self.role


@hooks.register("register_admin_urls")
def register_role_urls():
    return [path(p, view.as_view(), name=name) for _role, name, p, view, *_rest in ROLE_PAGES]


@hooks.register("register_admin_urls")
def register_regulator_urls():
    return [
        path("authority/regulators/", RegulatorListView.as_view(), name="regulators"),
        path("authority/regulators/new/", RegulatorCreateView.as_view(), name="regulator_new"),
        path("authority/regulators/<int:pk>/", RegulatorEditView.as_view(), name="regulator_edit"),
    ]


class RegulatorAdminMenuItem(MenuItem):
    """Shown to whoever administers regulators: superusers and drug administrations' admins."""

    def is_shown(self, request):
        return administrable_region(request.user) is not None


@hooks.register("register_admin_menu_item")
def regulators_menu_item():
    return RegulatorAdminMenuItem(
        _("Regulators"), reverse("regulators"), icon_name="view", order=120, name="regulators"
    )


def _make_menu_hook(role, name, label, icon, order):
    def hook():
        return RoleMenuItem(
            role, label, reverse(name), icon_name=icon, order=order, name=name.replace("_", "-")
        )

    return hook


for _role, _name, _path, _view, _label, _icon, _order in ROLE_PAGES:
    hooks.register("register_admin_menu_item", _make_menu_hook(_role, _name, _label, _icon, _order))


class RolePanel(Component):
    """A dashboard panel telling back-office users which role they hold."""

    name = "portal_role"
    order = 10
    template_name = "accounts/admin/role_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        return {"role": role_of(user), "user": user}


@hooks.register("construct_homepage_panels")
def add_role_panel(request, panels):
    panels.insert(0, RolePanel(request))


# --- account security: second factors, locked-out sign-ins, the account log -----------------


@hooks.register("register_admin_urls")
def register_account_security_urls():
    return [
        path("security/second-factors/", SecondFactorListView.as_view(), name="second_factors"),
        path(
            "security/second-factors/<int:pk>/reset/",
            SecondFactorResetView.as_view(),
            name="second_factor_reset",
        ),
        path("security/lockouts/", LockoutListView.as_view(), name="lockouts"),
        path("security/lockouts/unlock/", LockoutUnlockView.as_view(), name="lockout_unlock"),
        path("security/account-log/", AccountEventListView.as_view(), name="account_events"),
    ]


class AccountSecurityMenuItem(MenuItem):
    def is_shown(self, request):
        return may_administer_accounts(request.user)


class AccountSecuritySubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return may_administer_accounts(request.user)


@hooks.register("register_admin_menu_item")
def account_security_menu_item():
    menu = Menu(
        items=[
            AccountSecurityMenuItem(
                _("Second factors"), reverse("second_factors"), icon_name="key", order=10
            ),
            AccountSecurityMenuItem(
                _("Locked-out sign-ins"), reverse("lockouts"), icon_name="lock", order=20
            ),
            AccountSecurityMenuItem(
                _("Account log"), reverse("account_events"), icon_name="history", order=30
            ),
        ]
    )
    return AccountSecuritySubmenu(
        _("Account security"), menu, icon_name="key", order=130, name="account-security"
    )
