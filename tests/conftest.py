import os
import shutil

import pytest
from django.core.cache import cache

CHROMIUM = "/usr/bin/chromium"
# Flags that keep a headless Chromium on a closed network from calling home (see README).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """
    Serve unhashed static names in tests. The production storage needs `collectstatic` to have
    run, and the live server used by browser tests serves files from the source folders.
    tests/test_static.py checks the hashed production storage on its own.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Requests activate a language in the test's thread; start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, also when the cache is a shared Redis server."""
    from netinfo.core.redis_cache import BREAKERS

    cache.clear()
    BREAKERS.clear()  # what the process learnt about unreachable cache servers
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing browser: skip, or fail under CI=true."""
    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}: browser tests must run in CI.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which makes Django
    # refuse database access from the test itself. The tests are synchronous, so allow it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def replay_data_migrations():
    """
    Run the project's data migrations again. Browser tests use a transactional database,
    which Django empties after each test, taking the seeded regions, staff groups and cookie
    groups with it; every data migration here is idempotent.
    """
    from importlib import import_module

    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan = []
    for key in loader.graph.leaf_nodes():
        plan += [node for node in loader.graph.forwards_plan(key) if node not in plan]
    for app_label, name in plan:
        if app_label not in ("netinfo", "references", "patient_groups", "consent"):
            continue
        module = import_module(f"{apps.get_app_config(app_label).name}.migrations.{name}")
        for operation in module.Migration.operations:
            if isinstance(operation, RunPython):
                with connection.schema_editor() as schema_editor:
                    operation.code(apps, schema_editor)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (empty cookie jar) on the live test server."""
    replay_data_migrations()
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True, scope="session")
def _media_in_tmp(tmp_path_factory):
    """
    Uploaded files go to a temporary folder, never into var/media. Session-scoped, so it is in
    place before any TestCase.setUpTestData runs.
    """
    from django.conf import settings

    original = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    yield
    settings.MEDIA_ROOT = original


def serious_accessibility_problems(page):
    """axe-core's serious and critical violations on the current page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
