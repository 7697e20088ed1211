"""Before migrating: set aside an embedded database made before the shared filing table.

The filing mechanism (one filing table for every system) replaced the first
drug-permit-only schema and its migrations.  A laptop database from before
cannot be migrated forward; it holds only demo data, so it is moved aside
(never deleted) and ``make run`` builds a fresh one with the demo data again.
"""

import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

OLD_TABLE = "documents_drugpermitapplication"
NEW_TABLE = "filings_filing"


class Command(BaseCommand):
    help = "Move aside an embedded SQLite database from before the shared filing table."

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        if not database["ENGINE"].endswith("sqlite3"):
            return
        path = Path(database["NAME"])
        if not path.exists():
            return
        with sqlite3.connect(path) as connection:
            tables = {
                row[0]
                for row in connection.execute("select name from sqlite_master where type='table'")
            }
        if OLD_TABLE in tables and NEW_TABLE not in tables:
            aside = path.with_name(f"{path.name}.before-filings-{timezone.now():%Y%m%d%H%M%S}")
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{path}{suffix}")
                if part.exists():
                    part.rename(f"{aside}{suffix}")
            self.stdout.write(
                f"Moved the old database to {aside}: it predates the shared filing table. "
                "A new one is created now, with the demo data."
            )
