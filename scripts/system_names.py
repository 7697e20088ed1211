"""Lines outside each filing system's package that name its models or its own fields.

    uv run python scripts/system_names.py        (prints each line and the count; goal 0)

A system's names are its model classes (application, lines, statuses), its
lines' related name, and the fields of its models that the shared models do
not also have (so ``quantity`` or ``remarks``, which certificates have too,
do not count).  Searched: Python, templates and scripts outside the system's
package and outside tests and migrations.
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402

from filings import registry  # noqa: E402

# Names the shared models have too (a certificate has a quantity, a purpose
# attachment its purpose): using them names no system.
SHARED_APPS = ("filings", "documents", "customs", "notifications", "accounts", "reference")
SHARED = {
    f.name
    for label in SHARED_APPS
    for model in apps.get_app_config(label).get_models()
    for f in model._meta.get_fields()
} | {"application", "id", "pk"}
SOURCES = ("*.py", "*.html", "*.js", "*.txt")
SKIP = ("tests", "migrations", ".venv", "var", "node_modules", "bench", "docs")


def names_of(system) -> set[str]:
    names = {system.model.__name__, system.statuses.__name__}
    if system.line_model is not None:
        names |= {system.line_model.__name__, system.lines_relation}
    for model in (system.model, system.line_model):
        if model is None:
            continue
        for field in model._meta.get_fields():
            if field.concrete and field.model is model and field.name not in SHARED:
                names.add(field.name)
    return names - {"filing_ptr"}


def main() -> int:
    total = 0
    for system in registry.all_systems():
        package = Path(sys.modules[system.model.__module__].__file__).parent
        names = "|".join(sorted(map(re.escape, names_of(system)), key=len, reverse=True))
        # Used as code: attribute access, a keyword or lookup, a quoted key, a class name.
        pattern = re.compile(
            rf"\.(?:{names})\b|\b(?:{names})(?:__|\s*=[^=])|[\"'](?:{names})[\"'.]"
            rf"|\b(?:{system.model.__name__}|{system.statuses.__name__})\b"
        )
        for glob in SOURCES:
            for path in ROOT.rglob(glob):
                relative = path.relative_to(ROOT)
                if (
                    package in path.parents
                    or relative.parts[0] in SKIP
                    or any(part in SKIP for part in relative.parts)
                ):
                    continue
                if path.name == Path(__file__).name:
                    continue
                for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1):
                    if pattern.search(line):
                        total += 1
                        print(f"{relative}:{number}: {line.strip()[:110]}")
        print(f"{system.key}: names {sorted(names_of(system))}")
    print(f"lines naming a system's model or fields outside its package: {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
