from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from . import views
from .caching import public_page
from .consent import views as consent_views
from .sitemaps import SITEMAPS

handler403 = "netinfo.views.permission_denied"
handler404 = "netinfo.views.page_not_found"
handler500 = "netinfo.views.server_error"

admin.site.site_header = "NET Info"
admin.site.site_title = "NET Info"

# Outside the language prefix: the admin follows the editor's browser language, and machines
# (load balancers, crawlers) need one stable address.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # JSON for the cookie banner script: per visitor, never cached, not language-prefixed.
    path("consent/status/", consent_views.status, name="consent-status"),
    path(
        "sitemap.xml",
        public_page(sitemap, query=["p"]),  # p: the page of a long sitemap
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
]

# Public pages live under /en/ and /de/; "/" redirects by the browser's Accept-Language.
urlpatterns += i18n_patterns(
    path("", include("netinfo.article_urls")),
    path("", include("patient_groups.urls")),
    path("", include("netinfo.consent.urls")),
)

# Uploaded images. A web server in front may serve MEDIA_ROOT itself (faster); this view is the
# fallback and sends headers that stop a file from ever running as a page.
urlpatterns += [path("media/<path:path>", views.media, name="media")]

if settings.BENCHMARK:
    urlpatterns += [path("bench/hello", views.hello, name="bench-hello")]
