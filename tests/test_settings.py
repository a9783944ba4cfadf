"""Settings come from the environment, and production refuses to start half-configured."""

import os
import secrets

from tests.subprocesses import run_django, run_script


def run(args, **env_changes):
    """Django started with no DJANGO_* variables but those given."""
    return run_django(args, keep_django_env=False, **env_changes)


def test_production_server_without_secret_key_fails_with_a_clear_message():
    """gunicorn (wsgi) and an ASGI server refuse to start, naming the missing variable."""
    for entry_point in ("netinfo.wsgi", "netinfo.asgi"):
        result = run(["-c", f"import {entry_point}"])
        assert result.returncode != 0, entry_point
        assert "ImproperlyConfigured" in result.stderr
        assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_runserver_without_secret_key_fails_with_a_clear_message():
    result = run(["manage.py", "runserver", "--noreload", "127.0.0.1:0"], timeout=60)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_without_secret_key_nothing_is_signed_with_an_empty_or_fallback_key():
    result = run(
        [
            "-c",
            "import django; django.setup(); from django.core import signing; "
            "signing.dumps('session')",
        ]
    )
    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in result.stderr


def test_commands_that_sign_nothing_run_without_secret_key():
    """Building an image (collectstatic) or checking migrations needs no production secret."""
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_debug_without_secret_key_uses_a_local_random_key():
    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(len(settings.SECRET_KEY))",
        ],
        DJANGO_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 50


def test_check_deploy_is_clean_with_production_environment():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="netinfo.example",
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_SECURE_HSTS_PRELOAD="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_bad_number_in_environment_is_reported_by_name():
    result = run(
        ["manage.py", "check"],
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_HSTS_SECONDS="a year",
    )
    assert result.returncode != 0
    assert "DJANGO_SECURE_HSTS_SECONDS must be a whole number" in result.stderr


def test_database_url_selects_the_database():
    """CI's second pass sets DATABASE_URL=postgres://...: the suite must really run there."""
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")


def test_redis_url_selects_a_shared_cache():
    from django.conf import settings
    from django.core.cache import cache

    backend = settings.CACHES["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "netinfo.core.redis_cache.RedisCache"
        # One redis-py client per server, not a new one per operation (django-redis).
        from django_redis import get_redis_connection

        assert get_redis_connection("default") is get_redis_connection("default")
    else:
        # Without Redis, the worker processes of one app server share a cache in files.
        assert backend == "django.core.cache.backends.filebased.FileBasedCache"
    cache.set("settings-test", "works", 10)
    assert cache.get("settings-test") == "works"


def test_an_edit_in_one_worker_process_empties_the_page_cache_of_the_others():
    """gunicorn runs several processes: a content version kept per process would let the
    others serve pages from before an edit (see netinfo/caching.py)."""
    from netinfo.core.page_cache import tags_version

    before = tags_version("article-1")
    edit = run_script(
        "from netinfo.core.page_cache import invalidate; invalidate({'article-1'})",
        DJANGO_DEBUG="",
    )
    assert edit.returncode == 0, edit.stderr[-2000:]
    assert tags_version("article-1") != before


def test_the_development_server_keeps_its_cache_in_memory():
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = run_script(script, DJANGO_DEBUG="1", REDIS_URL="")
    assert result.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache", result.stderr


def test_app_servers_keep_their_sqlite_connection_and_runserver_does_not():
    script = "from django.db import connection; print(connection.settings_dict['CONN_MAX_AGE'])"
    sqlite = "sqlite:////tmp/netinfo-settings-test.sqlite3"
    production = run_script(script, DATABASE_URL=sqlite, DJANGO_DEBUG="")
    assert production.stdout.strip() == "600", production.stderr
    development = run_script(script, DATABASE_URL=sqlite, DJANGO_DEBUG="1")
    assert development.stdout.strip() == "0", development.stderr
