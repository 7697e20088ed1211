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


@hooks.register("register_admin_urls")
def register_drug_permit_urls():
    from . import drug_permit_admin as views

    return [
        path("drug-permits/todo/", views.TodoView.as_view(), name="drug_permit_todo"),
        path(
            "drug-permits/withdrawals/",
            views.TodoView.as_view(withdrawals=True),
            name="drug_permit_withdrawals",
        ),
        path("drug-permits/", views.QueryView.as_view(), name="drug_permit_query"),
        path("drug-permits/<str:number>/", views.DetailView.as_view(), name="drug_permit_detail"),
        path(
            "drug-permits/<str:number>/attachments/<int:attachment_id>/",
            views.download_attachment,
            name="drug_permit_attachment",
        ),
    ]


class LevelMenuItem(MenuItem):
    def __init__(self, *args, levels=(1, 2, 3, 4), roles=(Role.APPROVER,), **kwargs):
        self.levels, self.roles = levels, roles
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        role = role_of(request.user)
        if role not in self.roles:
            return False
        seat = getattr(request.user, "approver_seat", None)
        return seat is None or seat.level in self.levels


@hooks.register("register_admin_menu_item")
def todo_menu_item():
    return LevelMenuItem(
        _("Drug permit to-do"),
        reverse("drug_permit_todo"),
        icon_name="tasks",
        order=80,
        name="drug-permit-todo",
    )


@hooks.register("register_admin_menu_item")
def withdrawals_menu_item():
    return LevelMenuItem(
        _("Withdrawals to review"),
        reverse("drug_permit_withdrawals"),
        icon_name="undo",
        order=81,
        levels=(1,),
        name="drug-permit-withdrawals",
    )


@hooks.register("register_admin_menu_item")
def query_menu_item():
    return LevelMenuItem(
        _("Application query"),
        reverse("drug_permit_query"),
        icon_name="search",
        order=82,
        roles=(Role.APPROVER, Role.AUTHORITY_ADMIN),
        name="drug-permit-query",
    )
