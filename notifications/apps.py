from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Status push")

    def ready(self):
        from filings import audit

        from . import services

        # Every recorded status change is published once its transaction commits.
        audit.listen(services.publish)
