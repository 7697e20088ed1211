from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.accounts.roles import Role
from workflows.wagtail_hooks import LevelMenuItem

STAFF = (Role.APPROVER, Role.AUTHORITY_ADMIN)


@hooks.register("register_admin_urls")
def register_document_urls():
    from . import admin_views as views

    return [
        path("certificates/", views.CertificateListView.as_view(), name="documents_certificates"),
        path(
            "certificates/layout/",
            views.CertificateLayoutView.as_view(),
            name="documents_certificate_layout",
        ),
        path(
            "certificates/<str:number>/pdf/",
            views.certificate_pdf,
            name="documents_certificate_pdf",
        ),
        path(
            "certificates/<str:number>/void/",
            views.CertificateVoidView.as_view(),
            name="documents_certificate_void",
        ),
        path("notices/", views.NoticeListView.as_view(), name="documents_notices"),
        path("notices/<int:pk>/", views.NoticeView.as_view(), name="documents_notice"),
        path("notices/<int:pk>/pdf/", views.notice_pdf, name="documents_notice_pdf"),
        path("sign-off/", views.SignOffListView.as_view(), name="documents_sign_off"),
        path("sign-off/<str:number>/pdf/", views.sign_off_pdf, name="documents_sign_off_pdf"),
        path(
            "exports/applications/",
            views.export_applications,
            name="documents_export_applications",
        ),
        path("jobs/<int:pk>/", views.JobView.as_view(), name="documents_job"),
        path("jobs/<int:pk>/status/", views.job_status, name="documents_job_status"),
        path("jobs/<int:pk>/download/", views.job_download, name="documents_job_download"),
    ]


def _item(label, url_name, icon, order, name):
    return LevelMenuItem(
        label, reverse(url_name), icon_name=icon, order=order, roles=STAFF, name=name
    )


@hooks.register("register_admin_menu_item")
def certificates_menu_item():
    return _item(
        _("Certificate query"), "documents_certificates", "doc-full-inverse", 83, "certificates"
    )


@hooks.register("register_admin_menu_item")
def notices_menu_item():
    return _item(_("Notice printing"), "documents_notices", "doc-full", 84, "notice-printing")


@hooks.register("register_admin_menu_item")
def sign_off_menu_item():
    return _item(
        _("Sign-off sheet printing"), "documents_sign_off", "list-ul", 85, "sign-off-printing"
    )


@hooks.register("register_admin_menu_item")
def layout_menu_item():
    return _item(
        _("Certificate print layout"),
        "documents_certificate_layout",
        "cog",
        86,
        "certificate-layout",
    )
