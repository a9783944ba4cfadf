"""ASGI entry point, for servers such as uvicorn or daphne."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netinfo.settings")

application = get_asgi_application()

from netinfo.settings import require_secret_key  # noqa: E402 (needs the settings loaded)

require_secret_key()
