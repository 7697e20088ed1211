"""Make the database ready for ``make run`` in one Django boot, or do nothing.

Runs prepare_database, migrate, load_reference_data and load_demo in this one
process.  A fingerprint of what they depend on (every migration file, the
reference data and its loader, the demo code, uv.lock, the database's identity
and, for SQLite, the file's inode) is kept under var/setup/; when it matches,
setup is skipped.  A changed migration, new reference data or a deleted
database makes it run again.  ``--force`` runs it regardless.
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD

SKIP_DIRS = {".venv", "var", "node_modules", ".git", "__pycache__"}


def _inputs(base: Path) -> list[Path]:
    files = [
        path
        for top in base.iterdir()
        if top.is_dir() and top.name not in SKIP_DIRS and not top.name.startswith(".")
        for path in top.rglob("migrations/*.py")
    ]
    reference = base / "portal" / "reference"
    files += [p for p in (reference / "data").rglob("*") if p.is_file()]
    files += [reference / "loading.py", base / "portal" / "demo.py", base / "uv.lock"]
    files += [
        p
        for p in (base / "portal" / "management" / "commands").glob("*.py")
        if p.name in {"load_demo.py", "prepare_database.py", "setup_portal.py"}
    ]
    return sorted(p for p in files if p.is_file())


def _database_identity() -> dict:
    database = settings.DATABASES["default"]
    identity = {
        "engine": database["ENGINE"],
        "name": str(database["NAME"]),
        "host": database.get("HOST", ""),
        "port": str(database.get("PORT", "")),
    }
    if database["ENGINE"].endswith("sqlite3"):
        path = Path(database["NAME"])
        identity["inode"] = path.stat().st_ino if path.exists() else None
    return identity


def fingerprint() -> str:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for path in _inputs(base):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(json.dumps(_database_identity(), sort_keys=True).encode())
    return digest.hexdigest()


def stamp_path() -> Path:
    identity = _database_identity()
    key = hashlib.sha256(f"{identity['engine']}|{identity['name']}|{identity['host']}".encode())
    return Path(settings.BASE_DIR) / "var" / "setup" / f"{key.hexdigest()[:16]}.fingerprint"


class Command(BaseCommand):
    help = "Prepare, migrate and load reference and demo data in one go; skipped if unchanged."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even if nothing changed.")

    def handle(self, *args, force=False, **options):
        stamp = stamp_path()
        if not force and stamp.exists() and stamp.read_text().strip() == fingerprint():
            self.stdout.write("Database up to date (migrations, reference and demo data).")
            return
        call_command("prepare_database", stdout=self.stdout, stderr=self.stderr)
        call_command("migrate", interactive=False, verbosity=1, stdout=self.stdout)
        call_command("load_reference_data", stdout=self.stdout)
        call_command("load_demo", stdout=self.stdout)
        # Fingerprint after the work: a database created just now has its inode now.
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint() + "\n")
        self.stdout.write(f"Setup done; every demo account's password is {DEMO_PASSWORD}.")
