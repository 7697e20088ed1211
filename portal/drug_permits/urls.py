from django.urls import path

from . import views

app_name = "drug_permits"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("action/", views.list_action, name="action"),
    path("new/", views.create, name="create"),
    path("write-offs/", views.write_offs, name="write-offs"),
    path("declarations/<str:declaration>/", views.declaration, name="declaration"),
    path("certificates/<str:number>/", views.certificate_detail, name="certificate-detail"),
    path("certificates/<str:number>/pdf/", views.certificate_print, name="certificate-pdf"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/submit/", views.submit, name="submit"),
    path("<str:number>/application-form/", views.application_form, name="application-form"),
    path("<str:number>/certificate/", views.certificate_pdf, name="certificate"),
    path("<str:number>/notices/<int:notice_id>/", views.notice_pdf, name="notice"),
    path("<str:number>/lines/<int:line_id>/delete/", views.delete_line, name="delete-line"),
    path("<str:number>/attachments/<int:type_id>/upload/", views.upload, name="upload"),
    path(
        "<str:number>/attachments/<int:attachment_id>/delete/",
        views.delete_attachment,
        name="delete-attachment",
    ),
    path(
        "<str:number>/attachments/<int:attachment_id>/",
        views.download_attachment,
        name="download-attachment",
    ),
]
