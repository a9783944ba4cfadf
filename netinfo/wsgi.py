"""WSGI entry point, used by gunicorn: ``gunicorn netinfo.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netinfo.settings")

application = get_wsgi_application()

from netinfo.settings import require_secret_key  # noqa: E402 (needs the settings loaded)

require_secret_key()

# Django, its apps and their modules live as long as the worker. Moving them out of the reach
# of the garbage collector, which otherwise walks all of them on each full collection, makes
# every page about 5-10% quicker (docs/performance.md). Collect first: what start-up left
# behind is freed rather than kept for good.
gc.collect()
gc.freeze()
