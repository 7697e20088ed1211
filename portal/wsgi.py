import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: a deployment that forgets the variable refuses to
# start without PORTAL_SECRET_KEY rather than run with DEBUG=True.  `make run`,
# scripts/serve.sh and the benches choose portal.settings.dev explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
application = get_wsgi_application()
