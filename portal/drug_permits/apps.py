from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrugPermitsConfig(AppConfig):
    name = "portal.drug_permits"
    label = "drug_permits"
    verbose_name = _("Drug import/export permit")

    def ready(self):
        from filings import registry

        from .system import DRUG_PERMIT

        registry.register(DRUG_PERMIT)
