from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load demo accounts and public pages (dev only; safe to run again)."

    def handle(self, *args, **options):
        load_demo()
        self.stdout.write(f"Demo data ready; every demo account's password is {DEMO_PASSWORD}.")
