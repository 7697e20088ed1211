from django.core.management.base import BaseCommand

from portal.api.models import purge_expired


class Command(BaseCommand):
    help = "Delete Idempotency-Key rows older than 24 hours."

    def handle(self, *args, **options):
        self.stdout.write(f"{purge_expired()} idempotency keys deleted.")
