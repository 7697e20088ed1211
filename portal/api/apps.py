from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "portal.api"
    label = "portal_api"
    verbose_name = _("Machine API")
    default_auto_field = "django.db.models.BigAutoField"
