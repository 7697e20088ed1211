from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AvImportsConfig(AppConfig):
    name = "portal.av_imports"
    label = "av_imports"
    verbose_name = _("Audio-video product import approval")

    def ready(self):
        from filings import registry

        from .system import AV_IMPORT

        registry.register(AV_IMPORT)
