from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutoLicencesConfig(AppConfig):
    name = "portal.auto_licences"
    label = "auto_licences"
    verbose_name = _("Automatic import licence (non-mechanical/electrical)")

    def ready(self):
        from filings import registry

        from .system import AUTO_LICENCE

        registry.register(AUTO_LICENCE)
