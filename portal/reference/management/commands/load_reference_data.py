from django.core.management.base import BaseCommand

from portal.reference.loading import load_reference_data


class Command(BaseCommand):
    help = "Load the seed reference lists (ports, HS codes, countries…); safe to run again."

    def handle(self, *args, **options):
        for name, (created, updated) in load_reference_data().items():
            self.stdout.write(f"{name}: {created} created, {updated} updated")
