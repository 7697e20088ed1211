"""The outbox worker: delivers certificate messages to CUSTOMS_ENDPOINT."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from customs.services import deliver_due


class Command(BaseCommand):
    help = "Deliver queued certificate messages to customs, retrying with backoff."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=float, default=0.5, help="idle poll, seconds")

    def handle(self, *args, once=False, interval=0.5, **options):
        self.stdout.write("customs outbox worker started")
        while True:
            close_old_connections()
            attempted = deliver_due()
            if once:
                return
            if not attempted:
                time.sleep(interval)
