"""Every registered system's enterprise pages, under /<slug>/ with its own namespace."""

from django.urls import include, path

from filings import registry

from . import views


def system_urls(system) -> list:
    kw = {"system": system}
    patterns = [
        *system.urls(),
        path("", views.filing_list, kw, name="list"),
        path("action/", views.list_action, kw, name="action"),
        path("new/", views.create, kw, name="create"),
    ]
    if system.lines_from_excel:
        patterns.append(path("goods-template/", views.line_template, kw, name="line-template"))
    if system.attachment_sheet_form is not None:
        patterns.append(
            path("attachments-template/", views.attachment_template, kw, name="attachment-template")
        )
    if system.issues_certificate:
        patterns += [
            path(
                "certificates/<str:number>/",
                views.certificate_detail,
                kw,
                name="certificate-detail",
            ),
            path(
                "certificates/<str:number>/pdf/",
                views.certificate_print,
                kw,
                name="certificate-pdf",
            ),
        ]
    if system.sends_to_customs:
        patterns += [
            path("write-offs/", views.write_offs, kw, name="write-offs"),
            path("customs-status/", views.customs_status, kw, name="customs-status"),
            path("clearance/", views.clearance, kw, name="clearance"),
            path("history/", views.certificate_history, kw, name="certificate-history"),
            path("declarations/<str:declaration>/", views.declaration, kw, name="declaration"),
        ]
    if system.versioned:
        patterns += [
            path("<str:number>/change/", views.change, kw, name="change"),
            path("<str:number>/versions/compare/", views.compare_versions, kw, name="compare"),
            path("<str:number>/versions/<int:revision_id>/", views.version, kw, name="version"),
        ]
    patterns += [
        path("<str:number>/", views.detail, kw, name="detail"),
        path("<str:number>/submit/", views.submit, kw, name="submit"),
        path("<str:number>/status/", views.status, kw, name="status"),
        path(
            "<str:number>/application-form/",
            views.application_form,
            kw,
            name="application-form",
        ),
        path("<str:number>/certificate/", views.certificate_pdf, kw, name="certificate"),
        path("<str:number>/notices/<int:notice_id>/", views.notice_pdf, kw, name="notice"),
        path("<str:number>/lines/<int:line_id>/delete/", views.delete_line, kw, name="delete-line"),
        path("<str:number>/lines/<int:line_id>/", views.edit_line, kw, name="edit-line"),
        path("<str:number>/lines/import/", views.import_lines, kw, name="import-lines"),
        path(
            "<str:number>/lines/import/<int:staged_id>/",
            views.import_preview,
            kw,
            name="import-preview",
        ),
        path("<str:number>/attachments/upload/", views.upload, kw, name="upload-free"),
        path("<str:number>/attachments/<int:type_id>/upload/", views.upload, kw, name="upload"),
        path(
            "<str:number>/attachments/<int:attachment_id>/delete/",
            views.delete_attachment,
            kw,
            name="delete-attachment",
        ),
        path(
            "<str:number>/attachments/<int:attachment_id>/",
            views.download_attachment,
            kw,
            name="download-attachment",
        ),
    ]
    return patterns


def urlpatterns_for_systems() -> list:
    return [
        path(
            f"{system.slug}/",
            include((system_urls(system), system.url_namespace), namespace=system.url_namespace),
        )
        for system in registry.all_systems()
    ]
