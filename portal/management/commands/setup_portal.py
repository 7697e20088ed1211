"""Make the database ready for ``make run`` in one Django boot, or do nothing.

Runs prepare_database, migrate, load_reference_data and load_demo in this one
process.  A fingerprint of what they depend on (see ``portal.setup_fingerprint``)
is kept under ``$PORTAL_VAR/setup/`` (default ``var/setup/``); when it matches,
setup is skipped.  A changed migration, new reference data or a deleted database
makes it run again.  ``--force`` runs it regardless.  ``scripts/serve.sh`` checks
the fingerprint without booting Django and runs this command only when it differs.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal import setup_fingerprint


class Command(BaseCommand):
    help = "Prepare, migrate and load reference and demo data in one go; skipped if unchanged."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even if nothing changed.")

    def handle(self, *args, force=False, **options):
        if not force and setup_fingerprint.up_to_date():
            self.stdout.write("Database up to date (migrations, reference and demo data).")
            return
        from portal.demo import DEMO_PASSWORD

        call_command("prepare_database", stdout=self.stdout, stderr=self.stderr)
        call_command("migrate", interactive=False, verbosity=1, stdout=self.stdout)
        call_command("load_reference_data", stdout=self.stdout)
        call_command("load_demo", stdout=self.stdout)
        # Fingerprint after the work: a database created just now has its inode now.
        setup_fingerprint.record()
        self.stdout.write(f"Setup done; every demo account's password is {DEMO_PASSWORD}.")
