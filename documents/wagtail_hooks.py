from django.urls import path
from wagtail import hooks

from . import admin_views as views


@hooks.register("register_admin_urls")
def register_job_urls():
    """The jobs behind batch prints and large exports (any system; the owner's only)."""
    return [
        path("jobs/<int:pk>/", views.JobView.as_view(), name="documents_job"),
        path("jobs/<int:pk>/status/", views.job_status, name="documents_job_status"),
        path("jobs/<int:pk>/download/", views.job_download, name="documents_job_download"),
    ]
