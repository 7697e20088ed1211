from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.accounts.roles import Role, role_of
from portal.accounts.wagtail_hooks import RoleMenuItem
from portal.reference.models import Module

from .admin_views import ApprovalSettingsView, MySeatView


class SettingsMenuItem(MenuItem):
    def is_shown(self, request):
        return role_of(request.user) in (Role.APPROVER, Role.AUTHORITY_ADMIN)


@hooks.register("register_admin_urls")
def register_settings_urls():
    return [
        path(
            "approval-settings/<slug:module>/",
            ApprovalSettingsView.as_view(),
            name="approval_settings",
        ),
        path("my-seat/", MySeatView.as_view(), name="my_seat"),
    ]


@hooks.register("register_admin_menu_item")
def my_seat_menu_item():
    return RoleMenuItem(
        Role.APPROVER,
        _("My approval seat"),
        reverse("my_seat"),
        icon_name="key",
        order=100,
        name="my-seat",
    )


@hooks.register("register_admin_menu_item")
def settings_menu_item():
    slug = Module.DRUG_PERMIT.lower().replace("_", "-")
    return SettingsMenuItem(
        _("Drug permit settings"),
        reverse("approval_settings", args=[slug]),
        icon_name="cog",
        order=90,
        name="approval-settings",
    )
