"""Every registered system's back office: its URLs under /admin/<admin_slug>/ (one
namespace per system) and one menu group per system, each item shown to whom it
concerns.  Plus the approver's seats and the authority administrator's seat pages."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from customs import admin_views as customs_views
from customs import import_views, legacy_views
from customs import selectors as customs_selectors
from documents import admin_views as document_views
from documents.models import legacy_entry_authority_id
from filings import registry
from filings.selectors import authority_id_for
from portal.accounts.roles import Role
from portal.accounts.selectors import regulator_may_read, seat_of
from portal.accounts.wagtail_hooks import RoleMenuItem

from . import admin_views as views
from . import history_views, regulator_views
from .seat_queues import seat_rows


def admin_urls(system) -> list:
    """The back-office pages of one system (views of the mechanism, documents and customs)."""
    kw = {"system": system}

    def view(cls, **extra):
        return cls.as_view(system=system, **extra)

    patterns = []
    if system.regulator_reads:
        patterns += [
            path("regulator/", view(regulator_views.RegulatorQueryView), name="regulator_query"),
            path(
                "regulator/<str:number>/",
                view(regulator_views.RegulatorRecordView),
                name="regulator_detail",
            ),
            path(
                "regulator/<str:number>/history.xlsx",
                history_views.regulator_history,
                kw,
                name="regulator_history_export",
            ),
        ]
    if not system.stages:
        return patterns
    patterns += [
        path("todo/", view(views.QueueView), name="todo"),
        path("todo/<str:number>/", view(views.FilingView, decides=True), name="todo_detail"),
        path("withdrawals/", view(views.QueueView, queue_name="withdrawals"), name="withdrawals"),
        path("query/", view(views.QueryView), name="query"),
        path("query/<str:number>/", view(views.FilingView), name="query_detail"),
        path("query/<str:number>/history/", views.history, kw, name="history"),
        path(
            "query/<str:number>/history.xlsx",
            history_views.filing_history,
            kw,
            name="history_export",
        ),
        path(
            "query/<str:number>/application-form/",
            views.application_form,
            kw,
            name="application_form",
        ),
        path(
            "query/<str:number>/attachments/<int:attachment_id>/",
            views.download_attachment,
            kw,
            name="attachment",
        ),
        path(
            "query/<str:number>/case-notes/<int:attachment_id>/",
            views.download_case_note_attachment,
            kw,
            name="case_note_attachment",
        ),
        path("settings/", view(views.SettingsView), name="settings"),
        path("notices/", view(document_views.NoticeListView), name="notices"),
        path("notices/<int:pk>/", view(document_views.NoticeView), name="notice"),
        path("notices/<int:pk>/pdf/", document_views.notice_pdf, kw, name="notice_pdf"),
        path("sign-off/", view(document_views.SignOffListView), name="sign_off"),
        path("sign-off/<str:number>/pdf/", document_views.sign_off_pdf, kw, name="sign_off_pdf"),
    ]
    if system.issues_certificate:
        patterns += [
            path("certificates/", view(customs_views.CertificateListView), name="certificates"),
            path(
                "certificates/layout/",
                view(document_views.CertificateLayoutView),
                name="certificate_layout",
            ),
            path(
                "certificates/<str:number>/",
                view(customs_views.CertificateView),
                name="certificate",
            ),
            path(
                "certificates/<str:number>/pdf/",
                document_views.certificate_pdf,
                kw,
                name="certificate_pdf",
            ),
            path(
                "certificates/<str:number>/correct/",
                view(customs_views.CorrectView),
                name="certificate_correct",
            ),
            path(
                "certificates/<str:number>/void/",
                view(customs_views.CertificateVoidView),
                name="certificate_void",
            ),
            path(
                "certificates/<str:number>/history.xlsx",
                history_views.certificate_history,
                kw,
                name="certificate_history_export",
            ),
        ]
    if system.sends_to_customs:
        patterns += [
            path("write-offs/", view(customs_views.WriteOffListView), name="write_offs"),
            path("dead-letters/", view(customs_views.DeadLetterListView), name="dead_letters"),
            path(
                "write-offs/<str:declaration>/",
                view(customs_views.DeclarationView),
                name="declaration",
            ),
        ]
    if system.imports_certificates:
        patterns += [
            path("imports/", view(import_views.ImportView), name="imports"),
            path("imports/<int:pk>/", view(import_views.BatchView), name="import_batch"),
            path("imports/<int:pk>/status/", import_views.batch_status, kw, name="import_status"),
        ]
    if system.enters_legacy_certificates:
        patterns.append(
            path("legacy-entry/", view(legacy_views.LegacyEntryView), name="legacy_entry")
        )
    return patterns


class SystemAdmin(ViewSet):
    """The URLs of one system's back office (its menu is the group below)."""

    def __init__(self, system):
        self.system = system
        super().__init__(system.admin_slug)

    def get_urlpatterns(self):
        return admin_urls(self.system)


# Who sees a menu item: a seat in the system (optionally at the levels acting in a
# queue), or anyone working for an authority that decides the system.
def _seat(system, queue=None):
    def shown(user):
        seat = seat_of(user, system.key)
        if seat is None:
            return False
        return queue is None or bool(system.queue_states(seat.level, queue))

    return shown


def _staff(system):
    return lambda user: authority_id_for(user, system.key) is not None


class ShownMenuItem(MenuItem):
    def __init__(self, *args, shown, **kwargs):
        self.shown = shown
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return self.shown(request.user)


class MenuLink(ViewSet):
    """One item of a system's menu, pointing at a page of ``SystemAdmin`` (no URLs of its own)."""

    def __init__(self, system, url_name, label, icon, shown):
        super().__init__(f"{system.admin_slug}-{url_name.replace('_', '-')}")
        self.system, self.url_name, self.menu_label = system, url_name, label
        self.icon, self.shown = icon, shown
        self.menu_name = self.name

    @cached_property
    def menu_url(self):
        return reverse(f"{self.system.admin_slug}:{self.url_name}")

    def get_menu_item(self, order=None):
        return ShownMenuItem(
            label=self.menu_label,
            url=self.menu_url,
            name=self.menu_name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
            shown=self.shown,
        )


class SystemMenu(ViewSetGroup):
    """One menu group per system: its to-do list first, its settings last."""

    menu_icon = "folder-open-inverse"

    def __init__(self, system):
        self.system = system
        self.menu_label = system.label
        self.menu_name = system.admin_slug
        self.items = [item for item in self.links(system) if item]
        super().__init__()

    @staticmethod
    def links(system):
        if system.regulator_reads:
            yield MenuLink(
                system,
                "regulator_query",
                _("Archive query"),
                "search",
                lambda user: regulator_may_read(user, system.key),
            )
        if not system.stages:
            return
        staff = _staff(system)
        yield MenuLink(system, "todo", _("To-do"), "tasks", _seat(system, "todo"))
        if system.has_queue("withdrawals"):
            yield MenuLink(
                system,
                "withdrawals",
                _("Withdrawals to review"),
                "undo",
                _seat(system, "withdrawals"),
            )
        yield MenuLink(system, "query", _("Application query"), "search", staff)
        if system.issues_certificate:
            yield MenuLink(
                system, "certificates", _("Certificate query"), "doc-full-inverse", staff
            )
        if system.imports_certificates:
            yield MenuLink(system, "imports", _("Certificate import"), "upload", _seat(system))
        if system.enters_legacy_certificates:
            yield MenuLink(
                system,
                "legacy_entry",
                _("Enter an earlier certificate"),
                "edit",
                lambda user: legacy_entry_authority_id(user, system.key) is not None,
            )
        yield MenuLink(system, "notices", _("Notice printing"), "doc-full", staff)
        yield MenuLink(system, "sign_off", _("Sign-off sheet printing"), "list-ul", staff)
        if system.issues_certificate and system.certificate_layout:
            yield MenuLink(
                system, "certificate_layout", _("Certificate print layout"), "cog", staff
            )
        if system.sends_to_customs:
            yield MenuLink(system, "write_offs", _("Write-off query"), "list-ul", staff)
            yield MenuLink(
                system, "dead_letters", _("Messages customs never received"), "warning", staff
            )
        yield MenuLink(system, "settings", _("Initial values"), "cog", staff)

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        system = self.system
        item.is_shown = lambda request: (
            _staff(system)(request.user)
            or (system.regulator_reads and regulator_may_read(request.user, system.key))
        )
        return item


@hooks.register("register_admin_viewset")
def register_systems():
    """A back office for every registered system with approval stages or regulators."""
    found = []
    for index, system in enumerate(registry.all_systems()):
        if not system.stages and not system.regulator_reads:
            continue
        menu = SystemMenu(system)
        menu.menu_order = 80 + index
        found += [SystemAdmin(system), menu]
    return found


@hooks.register("register_admin_urls")
def register_seat_urls():
    return [
        path("my-seats/", views.MySeatsView.as_view(), name="my_seats"),
        path("authority/seats/", views.SeatListView.as_view(), name="approver_seats"),
        path("authority/seats/new/", views.SeatCreateView.as_view(), name="approver_seat_new"),
        path("authority/seats/<int:pk>/", views.SeatEditView.as_view(), name="approver_seat_edit"),
    ]


@hooks.register("register_admin_menu_item")
def my_seats_menu_item():
    return RoleMenuItem(
        Role.APPROVER,
        _("My approval seats"),
        reverse("my_seats"),
        icon_name="key",
        order=100,
        name="my-seats",
    )


@hooks.register("register_admin_menu_item")
def seats_menu_item():
    return RoleMenuItem(
        Role.AUTHORITY_ADMIN,
        _("Approver seats"),
        reverse("approver_seats"),
        icon_name="group",
        order=99,
        name="approver-seats",
    )


class SeatsPanel(Component):
    """The dashboard's panel of the approver's seats across systems, each with how many
    filings wait in its to-do list (under the role panel)."""

    name = "portal_seats"
    order = 20
    template_name = "workflows/admin/seats_panel.html"

    def __init__(self, rows):
        self.rows = rows

    def get_context_data(self, parent_context=None):
        return {"rows": self.rows}


@hooks.register("construct_homepage_panels")
def add_seats_panel(request, panels):
    rows = seat_rows(request.user)
    if rows:
        panels.insert(1, SeatsPanel(rows))


class DeadLetterPanel(Component):
    """An alert at the top of the dashboard while messages to customs of the user's
    authority sit in the dead-letter list (every retry failed): one line per system."""

    name = "portal_dead_letters"
    order = 5
    template_name = "workflows/admin/dead_letter_panel.html"

    def __init__(self, rows):
        self.rows = rows

    def get_context_data(self, parent_context=None):
        return {"rows": self.rows}


def dead_letter_rows(user) -> list[dict]:
    rows = []
    for system in registry.all_systems():
        if not system.sends_to_customs:
            continue
        count = customs_selectors.dead_letters_for_authority(user, system.key).count()
        if count:
            url = reverse(f"{system.admin_slug}:dead_letters")
            rows.append({"system": system, "count": count, "url": url})
    return rows


@hooks.register("construct_homepage_panels")
def add_dead_letter_panel(request, panels):
    rows = dead_letter_rows(request.user)
    if rows:
        panels.insert(0, DeadLetterPanel(rows))


@hooks.register("insert_global_admin_css")
def portal_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("portal/admin.css"))
