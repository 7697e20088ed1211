from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.accounts.roles import Role
from workflows.wagtail_hooks import LevelMenuItem


@hooks.register("register_admin_urls")
def register_customs_urls():
    from . import admin_views as views
    from . import import_views

    return [
        path(
            "certificates/<str:number>/detail/",
            views.CertificateView.as_view(),
            name="customs_certificate",
        ),
        path(
            "certificates/<str:number>/correct/",
            views.CorrectView.as_view(),
            name="customs_certificate_correct",
        ),
        path("write-offs/", views.WriteOffListView.as_view(), name="customs_write_offs"),
        path(
            "write-offs/<str:declaration>/",
            views.DeclarationView.as_view(),
            name="customs_declaration",
        ),
        path("certificate-imports/", import_views.ImportView.as_view(), name="customs_imports"),
        path(
            "certificate-imports/<int:pk>/",
            import_views.BatchView.as_view(),
            name="customs_import_batch",
        ),
        path(
            "certificate-imports/<int:pk>/status/",
            import_views.batch_status,
            name="customs_import_status",
        ),
    ]


@hooks.register("register_admin_menu_item")
def write_offs_menu_item():
    return LevelMenuItem(
        _("Write-off query"),
        reverse("customs_write_offs"),
        icon_name="list-ul",
        order=87,
        roles=(Role.APPROVER, Role.AUTHORITY_ADMIN),
        name="write-offs",
    )


@hooks.register("register_admin_menu_item")
def imports_menu_item():
    return LevelMenuItem(
        _("Certificate import"),
        reverse("customs_imports"),
        icon_name="upload",
        order=79,
        roles=(Role.APPROVER,),
        name="certificate-import",
    )
