from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Approval workflows")

    def ready(self):
        # The "Case notes" sheet of the inspector's history export registers itself.
        from . import case_notes  # noqa: F401
