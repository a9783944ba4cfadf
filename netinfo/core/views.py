"""
Pages every app relies on: errors (403, 404, 500 and the database's 503), the health check for
load balancers, robots.txt, uploaded images, the favicon and the benchmark's baseline.
"""

import re
import sys
from pathlib import PurePosixPath
from urllib.parse import unquote

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.static import serve

from .languages import LANGUAGE_CODES
from .page_cache import public_page
from .text import clean_query


@public_page(tags=[])
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/"]
    lines += [f"Disallow: /{code}/preview/" for code in LANGUAGE_CODES]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def media(request, path):
    """
    An uploaded image, with headers that keep any file from running as a page: only image
    types, no sniffing, a sandboxing CSP and an inline attachment disposition.
    """
    suffix = PurePosixPath(path).suffix.lower()
    if suffix not in MEDIA_TYPES:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = MEDIA_TYPES[suffix]
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = f'inline; filename="{PurePosixPath(path).name}"'
    # File names are random and never reused, so browsers may keep them for a year.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def favicon(request):
    """Browsers ask for /favicon.ico on pages without an icon link (the admin)."""
    return redirect(static("img/favicon.svg"), permanent=True)


# Words of a missing page's address that the 404 page searches for.
MAX_NOT_FOUND_WORDS = 8


def page_not_found(request, exception):
    """
    The 404 page, its search form filled in from the address: an old or mistyped link such as
    /en/articles/carcinoid-syndrom/ offers a search for "carcinoid syndrom".
    """
    segment = unquote(request.path).rstrip("/").rpartition("/")[2]
    words = re.findall(r"[^\W_]+", PurePosixPath(segment).stem)
    if words in ([], [get_language()]):
        words = []
    query, _shortened = clean_query(" ".join(words[:MAX_NOT_FOUND_WORDS]))
    return render(request, "404.html", {"query": query}, status=404)


def permission_denied(request, exception):
    """
    The 403 page. In the admin, for staff, in the admin's look: what was refused, the
    permission the page needs (read off the admin's URL names, e.g. netinfo_article_change),
    and links back.
    """
    user = getattr(request, "user", None)
    if not (request.path_info.startswith("/admin/") and user is not None and user.is_staff):
        return render(request, "403.html", status=403)
    permission, codename = admin_permission_for(request.path_info)
    message = str(exception) if exception is not None and str(exception) else ""
    back = request.META.get("HTTP_REFERER", "")
    context = {
        **admin.site.each_context(request),
        "title": _("You may not do this"),
        "reason": message or _("Your account may not open this page or make this change."),
        "permission": permission,
        "permission_codename": codename,
        "back_url": back if url_has_allowed_host_and_scheme(back, {request.get_host()}) else "",
    }
    return render(request, "admin/403.html", context, status=403)


# The last part of an admin URL name, and the model permission that admin page needs.
ADMIN_ACTIONS = {
    "changelist": "view",
    "history": "view",
    "changes": "view",
    "add": "add",
    "recoverlist": "add",
    "recover": "add",
    "change": "change",
    "revision": "change",
    "working_copy": "change",
    "delete": "delete",
}


def admin_permission_for(path):
    """(Permission or None, "app_label.codename") that the admin page at `path` needs."""
    try:
        match = resolve(path)
    except Http404:
        return None, ""
    if match.namespace != "admin":
        return None, ""
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        action = ADMIN_ACTIONS.get((match.url_name or "").removeprefix(prefix))
        if match.url_name.startswith(prefix) and action:
            codename = get_permission_codename(action, model._meta)
            found = Permission.objects.filter(
                content_type__app_label=model._meta.app_label, codename=codename
            ).first()
            return found, f"{model._meta.app_label}.{codename}"
    return None, ""


def server_error(request):
    """
    The 500 page, or a 503 "try again shortly" page with Retry-After when the database is out
    of reach. Renders without the database and without context processors.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        return response
    return defaults.server_error(request)


def hello(request):
    """The benchmark's baseline: the cheapest response the same stack can give."""
    return HttpResponse("Hello", content_type="text/plain")


@never_cache
def healthz(request):
    """
    Liveness and database check for load balancers: 200 when the database answers (a read of
    a table, which a locked or stalled database cannot give within its timeouts), else 503.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
    except DatabaseError as error:
        response = JsonResponse(
            {"status": "error", "database": "unavailable", "error": type(error).__name__},
            status=503,
        )
        response["Retry-After"] = "10"
        return response
    return JsonResponse({"status": "ok", "database": "ok"})
