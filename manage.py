#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Without DJANGO_SETTINGS_MODULE: production wherever anything of a deployment is set
    # (its database, secret or host names), so a deployment that forgets the variable
    # refuses to start without PORTAL_SECRET_KEY rather than run with DEBUG=True; on a bare
    # checkout (nothing set) the laptop's dev settings, so `manage.py makemigrations` just
    # works.  portal/asgi.py and portal/wsgi.py, which serve pages, always default to
    # production.
    deployed = any(
        os.environ.get(name)
        for name in ("DATABASE_URL", "PORTAL_SECRET_KEY", "PORTAL_ALLOWED_HOSTS", "REDIS_URL")
    )
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE",
        "portal.settings.production" if deployed else "portal.settings.dev",
    )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
