from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportDrugArchivesConfig(AppConfig):
    name = "portal.export_drug_archives"
    label = "export_drug_archives"
    verbose_name = _("Export drug archive")

    def ready(self):
        from filings import registry

        from .system import EXPORT_DRUG_ARCHIVE

        registry.register(EXPORT_DRUG_ARCHIVE)
