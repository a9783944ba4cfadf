"""WSGI entry point, used by gunicorn: ``gunicorn netinfo.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netinfo.settings")

application = get_wsgi_application()

from netinfo.settings import require_secret_key  # noqa: E402 (needs the settings loaded)

require_secret_key()
