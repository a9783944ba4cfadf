from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from .consent import views as consent_views
from .core import views as core_views
from .site import views as site_views

handler403 = "netinfo.core.views.permission_denied"
handler404 = "netinfo.core.views.page_not_found"
handler500 = "netinfo.core.views.server_error"

admin.site.site_header = "NET Info"
admin.site.site_title = "NET Info"

# Outside the language prefix: the admin follows the editor's browser language, and machines
# (load balancers, crawlers) need one stable address.
urlpatterns = [
    # Before the admin's own pages: the dashboard spans the apps the admin shows one by one.
    path(
        "admin/dashboard/",
        admin.site.admin_view(site_views.dashboard),
        name="review-dashboard",
    ),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots-txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    # JSON for the cookie banner script: per visitor, never cached, not language-prefixed.
    path("consent/status/", consent_views.status, name="consent-status"),
    path("sitemap.xml", site_views.sitemap, name="sitemap"),
    # For partners' programs: one address per version, whatever the language.
    path("api/v1/", include("netinfo.site.api.urls")),
]

# Public pages live under /en/ and /de/; "/" redirects by the browser's Accept-Language.
urlpatterns += i18n_patterns(
    path("", include("netinfo.articles.urls")),
    path("", include("netinfo.site.urls")),
    path("", include("patient_groups.urls")),
    path("", include("netinfo.consent.urls")),
)

# Uploaded images. A web server in front may serve MEDIA_ROOT itself (faster); this view is the
# fallback and sends headers that stop a file from ever running as a page.
urlpatterns += [path("media/<path:path>", core_views.media, name="media")]

if settings.BENCHMARK:
    urlpatterns += [path("bench/hello", core_views.hello, name="bench-hello")]
