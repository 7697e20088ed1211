"""The outbox worker: certificate messages to customs and webhook events to enterprises."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from customs.services import deliver_due
from notifications.services import deliver_webhooks_due


class Command(BaseCommand):
    help = "Deliver queued customs messages and webhook events, retrying with backoff."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=float, default=0.5, help="idle poll, seconds")

    def handle(self, *args, once=False, interval=0.5, **options):
        self.stdout.write("outbox worker started (customs messages, webhooks)")
        while True:
            close_old_connections()
            attempted = deliver_due() + deliver_webhooks_due()
            if once:
                return
            if not attempted:
                time.sleep(interval)
