from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "NET Info"
admin.site.site_title = "NET Info"

# Outside the language prefix: the admin follows the editor's browser language, and machines
# (load balancers, crawlers) need one stable address.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

# Public pages live under /en/ and /de/; "/" redirects by the browser's Accept-Language.
urlpatterns += i18n_patterns(
    path("", include("netinfo.article_urls")),
)
