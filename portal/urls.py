from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from customs import views as customs_views
from portal.cms import views as cms_views
from workflows.urls import urlpatterns_for_systems

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("portal.accounts.urls")),
    path("reference/", include("portal.reference.urls")),
    *urlpatterns_for_systems(),
    path("verify/", include("documents.urls")),
    path("notifications/", include("notifications.urls")),
    path("customs/inbound/", customs_views.inbound, name="customs_inbound"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", cms_views.search, name="search"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns += [path("", include(wagtail_urls))]
