from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from customs import views as customs_views
from portal import languages
from portal.api.main import api
from portal.cms import views as cms_views
from workflows.my_filings import my_filings
from workflows.urls import urlpatterns_for_systems

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/api-tokens/", include("portal.api.urls")),
    path("accounts/", include("portal.accounts.urls")),
    path("api/", api.urls),
    path("reference/", include("portal.reference.urls")),
    path("filings/", my_filings, name="my_filings"),
    *urlpatterns_for_systems(),
    path("verify/", include("documents.urls")),
    path("notifications/", include("notifications.urls")),
    path("customs/inbound/", customs_views.inbound, name="customs_inbound"),
    path("i18n/setlang/", languages.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", cms_views.search, name="search"),
    path("feedback/", cms_views.feedback, name="feedback"),
]
if settings.DEBUG:
    # Only the public site's images: attachments, kept documents, exports and imports
    # are served by their scoped views alone, never from a public media address.
    for _folder in ("images", "original_images"):
        urlpatterns += static(
            f"{settings.MEDIA_URL}{_folder}/", document_root=settings.MEDIA_ROOT / _folder
        )
urlpatterns += [path("", include(wagtail_urls))]
