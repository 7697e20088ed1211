# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := uv run --frozen
MANAGE := $(UV) python manage.py
# manage.py defaults to production settings (safe if forgotten); the laptop targets ask for
# dev explicitly (the test suite takes its own from pyproject.toml).
setup run messages: export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.PHONY: run deps setup test lint test-services messages bench api-fuzz

deps:
	@bash scripts/deps.sh

# One Django boot: prepare, migrate, reference and demo data; skipped when nothing changed.
setup: deps
	@$(MANAGE) setup_portal

# serve.sh runs setup_portal itself when its fingerprint changed (checked without a boot).
run: deps
	@bash scripts/serve.sh

lint: deps
	$(UV) ruff check .
	$(UV) ruff format --check .
	$(UV) lint-imports
	DJANGO_SETTINGS_MODULE=portal.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=portal.settings.production PORTAL_ALLOWED_HOSTS=portal.example.cn \
	  PORTAL_SECRET_KEY=check-deploy-only-0123456789abcdefghijklmnopqrstuvwxyzABCDEF \
	  PORTAL_CUSTOMS_SECRET=check-deploy-only-customs-0123456789abcdef \
	  $(MANAGE) check --deploy --fail-level WARNING

# Python may keep its bytecode cache (some shells set PYTHONDONTWRITEBYTECODE): the suite
# starts a dozen Python processes (xdist workers, daphne, manage.py), each of which would
# otherwise compile some 3,000 modules again.
test: export PYTHONDONTWRITEBYTECODE :=
test: lint
	$(UV) pytest $(PYTEST_ARGS)

# The suite again against PostgreSQL and Redis, started on loopback and stopped after.
test-services: export PYTHONDONTWRITEBYTECODE :=
test-services: deps
	@bash scripts/with-services.sh $(UV) pytest $(PYTEST_ARGS)

# schemathesis against the machine API's schema (/api/schema/): the portal started as `make
# run` starts it, on its own database and ports (var/api-fuzz/), with the demo data and
# tokens of the demo owner, each system's approver, a regulator and a second enterprise
# (the object-level check), real ids of the demo; fails on any 5xx or response the schema
# does not describe.  A few minutes; .ci/run runs it.
api-fuzz: deps
	@bash scripts/schemathesis.sh

# Measured figures (not part of make test): list pages and the licence statistics page
# against their SQL, PDF render time, Excel export throughput, certificate import, live
# push, create + submit by API against the web forms.  The database (built once, kept in
# var/bench/) and every size come from BENCH_* variables: see bench/_setup.py and the head
# of each bench/*.py; .ci/run runs them all at a small size.
bench:
	@bash scripts/deps.sh redis-server
	$(UV) python bench/_setup.py
	$(UV) python bench/lists.py
	$(UV) python bench/licence_statistics.py
	$(UV) python bench/pdf_notice.py
	$(UV) python bench/document_download.py
	$(UV) python bench/excel_export.py
	$(UV) python bench/customs_import.py
	$(UV) python bench/line_import.py
	$(UV) python bench/live_push.py
	$(UV) python bench/api_vs_web.py

messages: deps
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --add-location file -i ".venv/*" -i "var/*"
	$(MANAGE) compilemessages -l zh_Hans -i ".venv"
