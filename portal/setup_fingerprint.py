"""When ``setup_portal`` has nothing to do, without booting Django.

A fingerprint of what setup depends on (every migration file, the reference data
and its loader, the demo code, uv.lock, the database's identity and, for SQLite,
the file's inode) is kept under ``$PORTAL_VAR/setup/`` (default ``var/setup/``).
Computing it reads the settings module only, no app: about 0.2 s, where booting
Django costs 5 s.  ``python -m portal.setup_fingerprint`` exits 0 when the stamp
matches (setup can be skipped) and 1 otherwise; ``scripts/serve.sh`` runs
``manage.py setup_portal`` only then.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

from django.conf import settings

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
    files += [reference / "loading.py", base / "uv.lock"]
    files += list((base / "portal").rglob("demo.py"))  # portal/demo.py and each system's
    files += [
        p
        for p in (base / "portal" / "management" / "commands").glob("*.py")
        if p.name in {"load_demo.py", "prepare_database.py", "setup_portal.py"}
    ]
    files.append(Path(__file__))
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
    var = Path(os.environ.get("PORTAL_VAR") or Path(settings.BASE_DIR) / "var")
    return var / "setup" / f"{key.hexdigest()[:16]}.fingerprint"


def up_to_date() -> bool:
    stamp = stamp_path()
    return stamp.exists() and stamp.read_text().strip() == fingerprint()


def record() -> None:
    stamp = stamp_path()
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint() + "\n")


if __name__ == "__main__":
    if up_to_date():
        print("Database up to date (migrations, reference and demo data): setup skipped.")
        sys.exit(0)
    sys.exit(1)
