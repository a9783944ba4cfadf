"""
Settings for NET Info: one file, driven by the environment.

Every value that differs between a laptop and production comes from an environment variable
(prefixed ``DJANGO_`` where Django owns the concept). Production fails loudly on a missing secret
instead of falling back to a default. The README lists every variable.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a yes/no environment variable; "1", "true", "yes" and "on" mean yes."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable into a list, dropping blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None


def dev_secret_key():
    """
    A random key kept in var/ so that a DEBUG run survives restarts without logging everyone
    out. Only ever used with DJANGO_DEBUG on; production must set DJANGO_SECRET_KEY.
    """
    path = BASE_DIR / "var" / "dev-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Core ---------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG")

# Without DEBUG a missing key stays empty rather than failing here, as Django intends: commands
# that sign nothing (makemigrations, collectstatic while building an image) still run, Django
# refuses any use of the empty key, and the web server entry points refuse to start (below).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or (dev_secret_key() if DEBUG else "")


def require_secret_key():
    """Called by wsgi.py and asgi.py: a server never starts without a real secret key."""
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off) needs a long random "
            'secret, for example from: python -c "import secrets; '
            'print(secrets.token_urlsafe(50))"'
        )


ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it must come before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Lets runserver serve static files the way whitenoise does in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Ordinals ("1st", "1.") in the reference list's links back to the text.
    "django.contrib.humanize",
    # PostgreSQL's lookups (trigram_similar for "Did you mean ...?"); idle on SQLite.
    "django.contrib.postgres",
    "django_countries",
    "cookie_consent",
    "csp",
    "axes",
    "reversion",
    # The read-only content API for partners (/api/v1/, netinfo.site.api) and its schema.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API docs' files, served from here rather than a CDN
    "corsheaders",
    # The site's own apps, from the bottom layer up (see README, "Project layout").
    "netinfo.core",
    "netinfo.links",
    "references",
    "netinfo.articles",
    "patient_groups",
    "netinfo.consent",
    "netinfo.site",
]

MIDDLEWARE = [
    # Outermost: a request it ends early still passes through every other middleware.
    "netinfo.core.middleware.RequestDeadlineMiddleware",
    # It deletes optional cookies the visitor has not accepted, per request. Inside a page
    # cache its deletions would be stored and replayed to every visitor.
    "netinfo.consent.middleware.StrictCleanCookiesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # CORS headers for the API only (CORS_URLS_REGEX), also on the 304s and errors below.
    "corsheaders.middleware.CorsMiddleware",
    # Static files are answered before sessions, locale or CSRF do any work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags for every page and 304 answers to browsers and caches that already have it.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it may read the session's language), before Common (which needs the
    # active language to resolve URLs for APPEND_SLASH).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "netinfo.core.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes requires: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "netinfo.urls"
WSGI_APPLICATION = "netinfo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # The admin needs these two. Public templates never read `user` or
                # `messages`, which would touch the session and add Vary: Cookie.
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "netinfo.core.context_processors.site",
                "netinfo.consent.context_processors.analytics",
            ],
        },
    },
]

# Database -----------------------------------------------------------------------------------

# SQLite under var/ for a local run; DATABASE_URL (postgres://...) for anything shared.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
# A database that stalls must cost a visitor a few seconds and a friendly 503, never a worker
# held until the server kills it. Each limit is configurable; 0 turns the statement timeout
# and the request deadline off (e.g. for a long migration run by hand).
DB_CONNECT_TIMEOUT = env_int("DJANGO_DB_CONNECT_TIMEOUT", 3)  # seconds to get a connection
DB_STATEMENT_TIMEOUT_MS = env_int("DJANGO_DB_STATEMENT_TIMEOUT_MS", 10_000)  # PostgreSQL
DB_BUSY_TIMEOUT = env_int("DJANGO_DB_BUSY_TIMEOUT", 5)  # seconds SQLite waits for a lock
# A whole public request (netinfo.core.middleware.RequestDeadlineMiddleware): the last guard, for a
# server that keeps an open connection but stops answering, which no database timeout sees.
REQUEST_DEADLINE = env_int("NETINFO_REQUEST_DEADLINE", 15)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Opening SQLite is not free: each new connection reads the schema again, about 3 ms per
    # page (docs/performance.md), so app servers keep theirs. Not with DEBUG: the
    # development server starts a thread per request, and each would keep a connection open.
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else 600
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", DB_BUSY_TIMEOUT)
    (BASE_DIR / "var").mkdir(exist_ok=True)
else:
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DB_STATEMENT_TIMEOUT_MS:
        options.setdefault("options", f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}")
    # A server gone from the network (no answer at all, not even TCP's) is noticed within
    # seconds on an open connection too, not after the system's default of two hours.
    options.setdefault("keepalives", 1)
    options.setdefault("keepalives_idle", 10)
    options.setdefault("keepalives_interval", 5)
    options.setdefault("keepalives_count", 2)
    options.setdefault("tcp_user_timeout", max(DB_CONNECT_TIMEOUT, 1) * 5000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache --------------------------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Shared by every app server, so invalidation reaches all of them. Redis answers in well
    # under a millisecond; one that does not answer within NETINFO_CACHE_TIMEOUT_MS is treated
    # as down for a few seconds (netinfo/core/redis_cache.py) instead of holding up every page.
    CACHE_TIMEOUT = env_int("NETINFO_CACHE_TIMEOUT_MS", 250) / 1000
    CACHES = {
        "default": {
            "BACKEND": "netinfo.core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "netinfo"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": CACHE_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_TIMEOUT,
            },
        }
    }
elif DEBUG:
    # The development server is one process.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # gunicorn runs several worker processes. With a cache in each one's memory, an edit would
    # empty the page cache of the process that saved it only, and the others would go on
    # serving the old page; files are shared by every process on the machine. The folder holds
    # pickled data, so it must be writable by the site alone (as var/ is).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Public pages: shared caches may keep them PUBLIC_MAX_AGE seconds; the site's own page cache
# keeps them up to PAGE_CACHE_SECONDS (0 turns it off) or until what they show is edited.
PUBLIC_MAX_AGE = 300
PAGE_CACHE_SECONDS = env_int("NETINFO_PAGE_CACHE_SECONDS", 600)
# Parts of pages that many visits share and that change only with content (the home page's
# topics), kept in the cache under their tags' versions: as long as this, or until an edit.
FRAGMENT_CACHE_SECONDS = env_int("NETINFO_FRAGMENT_CACHE_SECONDS", 600)
# Front caches (deploy/varnish/default.vcl) told to drop the pages an edit changes, after it
# commits: comma-separated addresses, e.g. "http://127.0.0.1:8080/" for a Varnish on this host
# (netinfo.core.frontend_cache). Empty: none.
NETINFO_FRONTEND_CACHES = env_list("NETINFO_FRONTEND_CACHES")
# `make bench` only: serves /bench/hello, the baseline the pages are compared with.
BENCHMARK = env_bool("NETINFO_BENCHMARK")

# Authentication -----------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account + address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Internationalisation -----------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in templates use DATE_FORMAT: "22 November 2026" (en), "22. November 2026" (de).
FORMAT_MODULE_PATH = ["netinfo.core.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Berlin"
USE_TZ = True
# The site never sets the language cookie itself (languages are chosen by URL); if the admin's
# language view ever does, it lasts for the browser session only and is essential.
LANGUAGE_COOKIE_AGE = None
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Static and media files ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "netinfo.core.storage.MediaStorage"},
    # Hashed, compressed file names, so that browsers and CDNs may cache them for a year.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security -----------------------------------------------------------------------------------

# Cookies are Secure outside DEBUG; DJANGO_SECURE_COOKIES=0 allows a plain-HTTP staging box.
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
# HTTPS redirection and HSTS are opt-in: they are only right behind a working TLS endpoint.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD")
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
if BEHIND_PROXY:
    # Only behind a proxy that sets this header itself; otherwise a client could fake HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page of this site uses (see netinfo.core.middleware).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)

# Logging ------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Site ---------------------------------------------------------------------------------------

SITE_NAME = "NET Info"
# Shown in the footer and used for "tell us" links; an address the site operator reads.
CONTACT_EMAIL = os.environ.get("DJANGO_CONTACT_EMAIL", "info@netinfo.example")

# Analytics: Matomo, loaded only after consent. MATOMO_URL is the Matomo server's address
# (e.g. https://stats.example.org); without it no analytics code ships. For local runs a stand-in
# script served by the site sets Matomo-shaped cookies, so the consent flow can be tried offline.
MATOMO_URL = os.environ.get("MATOMO_URL", "").strip().rstrip("/")
MATOMO_SITE_ID = os.environ.get("MATOMO_SITE_ID", "").strip()
if MATOMO_URL and not (MATOMO_URL.startswith("https://") and MATOMO_SITE_ID.isdigit()):
    raise ImproperlyConfigured(
        "MATOMO_URL must be an https:// address and MATOMO_SITE_ID a number when analytics is on."
    )
ANALYTICS_STANDIN = not MATOMO_URL and env_bool("NETINFO_ANALYTICS_STANDIN", DEBUG)
# Bumped whenever the cookie notice or the cookie groups change meaning; kept in each record.
CONSENT_POLICY_VERSION = "2026-11-21"

# django-cookie-consent settings -------------------------------------------------------------

COOKIE_CONSENT_MAX_AGE = 60 * 60 * 24 * 182  # about 6 months, then visitors are asked again
COOKIE_CONSENT_SECURE = SECURE_COOKIES
COOKIE_CONSENT_HTTPONLY = True  # only the server reads it; the banner asks the status endpoint
COOKIE_CONSENT_SAMESITE = "Lax"
COOKIE_CONSENT_OPT_OUT = False  # opt-in: silence is refusal
# The library's per-click LogItem rows prove nothing; ConsentRecord is the proof of consent.
COOKIE_CONSENT_LOG_ENABLED = False
# The default cache is Redis when REDIS_URL is set, so every app server sees a group change.
COOKIE_CONSENT_CACHE_BACKEND = "default"

# django-csp settings ------------------------------------------------------------------------

# No inline script or style anywhere, no eval, no plugins, nothing from other hosts except the
# analytics server when one is configured. The admin runs under the same policy (see README).
_ANALYTICS_ORIGIN = [MATOMO_URL] if MATOMO_URL else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_ANALYTICS_ORIGIN],
        "style-src": ["'self'"],
        "img-src": ["'self'", *_ANALYTICS_ORIGIN],
        "connect-src": ["'self'", *_ANALYTICS_ORIGIN],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# django-axes settings -----------------------------------------------------------------------

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # an account from one address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# The lockout is per (account, client address), so the address must be the client's. Behind
# reverse proxies (DJANGO_PROXY_COUNT of them, each appending the address it received the
# request from to X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for does), the client is
# the entry the first proxy added: the PROXY_COUNT-th from the right. The last proxy is
# REMOTE_ADDR and not in the header, so ipware counts PROXY_COUNT - 1 proxies after the
# client; whatever a client writes into the header itself stays on the left, ignored.
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 1) if BEHIND_PROXY else 0
if BEHIND_PROXY:
    if PROXY_COUNT < 1:
        raise ImproperlyConfigured("DJANGO_PROXY_COUNT must be 1 or more behind a proxy.")
    AXES_IPWARE_PROXY_ORDER = "left-most"  # X-Forwarded-For: client, proxy1, proxy2 ...
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # More entries than proxies is normal: a client may send the header itself.
    IPWARE_STRICT = False
else:
    # Straight from the client: its own address, whatever headers it sends.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# django-modeltranslation settings -----------------------------------------------------------

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "de")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en",)}
MODELTRANSLATION_AUTO_POPULATE = False
# Per-language full-text vectors for PostgreSQL search (netinfo.articles.search).
MODELTRANSLATION_CUSTOM_FIELDS = ("SearchVectorField",)
# Self-hosted (static/vendor/jquery-ui, jQuery UI 1.14.2, MIT): the default loads it from a CDN,
# which would leak every editor's visit to a third party.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

# The link checker (manage.py check_links, netinfo.links) ------------------------------------

# DOIs are checked through this resolver (each costs a request to it and one to the
# publisher); set it empty not to check DOIs.
LINK_CHECK_DOI_RESOLVER = os.environ.get("NETINFO_LINK_CHECK_DOI_RESOLVER", "https://doi.org/")
# Networks the checker may connect to, e.g. "127.0.0.0/8,::1/128". Empty: public addresses only,
# so that an address written in an article cannot make the server probe its own network.
LINK_CHECK_NETWORKS = env_list("NETINFO_LINK_CHECK_NETWORKS")
# How sites whose logs show our requests can tell who we are and reach us.
LINK_CHECK_USER_AGENT = f"NETInfo-LinkChecker/1.0 (+mailto:{CONTACT_EMAIL})"

# The content API (netinfo.site.api) --------------------------------------------------------

# The terms partners may reuse our text under, in the API, in embeds and on the About page.
CONTENT_LICENCE = os.environ.get("NETINFO_CONTENT_LICENCE", "CC BY-NC-ND 4.0")
CONTENT_LICENCE_URL = os.environ.get(
    "NETINFO_CONTENT_LICENCE_URL", "https://creativecommons.org/licenses/by-nc-nd/4.0/"
)
REST_FRAMEWORK = {
    # Public and read-only: no accounts, sessions or CSRF cookies; JSON only.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("NETINFO_API_RATE", "600/hour")},
    # The client's address as the lockout reads it (see PROXY_COUNT above); 0: REMOTE_ADDR.
    "NUM_PROXIES": PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NET Info content API",
    "DESCRIPTION": (
        "Reviewed patient information about neuroendocrine tumours: published articles with "
        "their sources and review dates, the glossary and the directory of patient groups."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True  # any partner's page may read it; no credentials are sent
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
