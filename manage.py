#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Production unless told otherwise: a deployment that forgets the variable refuses to
    # start without PORTAL_SECRET_KEY rather than run with DEBUG=True.  `make run`,
    # scripts/serve.sh and the benches choose portal.settings.dev explicitly.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
