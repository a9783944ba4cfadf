"""
Through a real Varnish in front of two gunicorn app servers (`manage.py cluster`, as `make
cluster` starts it, on loopback ports of its own): who gets cached pages, what is never cached,
an editor's publication reaching the next visitor at once while other pages stay cached,
purging only from allowed addresses, a stopped app server taken out by the health check, and
sessions that work whichever server answers.

Varnish comes from Debian's packages (the cluster installs it when run as root). Without it
these tests skip, except under CI=true, where they fail instead.
"""

import http.client
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import dj_database_url
import pytest

from netinfo.site import cluster as parts
from tests.subprocesses import BASE_DIR, run_django

pytestmark = pytest.mark.front_cache


def can_run_varnish():
    return bool(parts.varnishd(install=False)) or parts.is_root()


@pytest.fixture(scope="module")
def cluster():
    if not can_run_varnish():
        message = "varnishd is missing: sudo apt-get install varnish"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    directory = Path(tempfile.mkdtemp(prefix="netinfo-cluster-test-"))
    database, drop_database = cluster_database(directory)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST")) and key not in ("REDIS_URL", "DATABASE_URL")
    }
    app_ports = [parts.free_port(), parts.free_port()]
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "netinfo.settings",
            "DJANGO_SECRET_KEY": "cluster-test-only-" + "x" * 40,
            "DATABASE_URL": database,
            "VARNISH_PORT": str(parts.free_port()),
            "APP_PORTS": ",".join(map(str, app_ports)),
            "NETINFO_CLUSTER_DIR": str(directory),
        }
    )
    cache = ["--cache", "files"]
    if os.environ.get("REDIS_URL"):
        # The production pairing; its own database number, apart from the tests' own.
        env["REDIS_URL"] = re.sub(r"/\d+$", "", os.environ["REDIS_URL"]) + "/14"
        cache = ["--cache", "redis"]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "cluster", *cache],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    deadline = time.monotonic() + 300
    for line in process.stdout:
        output.append(line)
        if "Cluster ready" in line or time.monotonic() > deadline:
            break
    if process.poll() is not None or "Cluster ready" not in "".join(output):
        process.kill()
        pytest.fail("The cluster did not start:\n" + "".join(output)[-4000:])
    state = parts.read_state(directory)
    yield {
        "state": state,
        "base": state["varnish"].rstrip("/"),
        "process": process,
        "directory": directory,
    }
    # As `make cluster-stop` does: the running cluster stops everything it started.
    stop = subprocess.run(
        [sys.executable, "manage.py", "cluster", "--stop"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
    drop_database()
    assert "Cluster stopped." in stop.stdout, stop.stdout + stop.stderr
    for port in [int(env["VARNISH_PORT"]), *app_ports]:
        assert not parts.port_open(port), f"port {port} still open after the cluster stopped"


def cluster_database(directory):
    """A database of the cluster's own: on the tests' PostgreSQL server if any, else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{directory}/cluster.sqlite3", lambda: None
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_cluster"
    admin = {
        "host": config["HOST"],
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
        "dbname": config["NAME"],
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    parsed = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parsed._replace(path=f"/{name}")), drop


def get(url, headers=None, opener=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def as_editor(cluster, script):
    """Run Python with the cluster's settings and data, as a tool on an app server would."""
    result = run_django(
        ["-c", "import django; django.setup()\n" + script],
        keep_django_env=False,
        **{"REDIS_URL": "", **cluster["state"]["env"]},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_anonymous_and_consented_visitors_get_hits(cluster):
    url = cluster["base"] + "/en/articles/what-are-nets/"
    get(url)
    status, headers, _body = get(url)
    assert (status, headers["X-Cache"]) == (200, "HIT")
    # Consent and analytics cookies do not split the cache: public pages read none.
    consented = {"Cookie": "cookie_consent=analytics=2026-12-01; _pk_id.1.1fff=abc.123"}
    status, headers, _body = get(url, consented)
    assert (status, headers["X-Cache"]) == (200, "HIT")
    assert "Set-Cookie" not in headers
    assert "Surrogate-Key" not in headers  # used by Varnish, not shown to visitors
    # Campaign parameters do not make new cache entries either.
    status, headers, _body = get(url + "?utm_source=newsletter&utm_medium=mail")
    assert headers["X-Cache"] == "HIT"


def test_static_files_and_images_are_cached(cluster):
    base = cluster["base"]
    _status, _headers, page = get(base + "/en/articles/what-are-nets/")
    stylesheet = re.search(r'<link rel="stylesheet" href="(/static/[^"]+)"', page)[1]
    pages_with_figures = [base + "/en/articles/treatment-options/", base + "/en/glossary/"]
    images = [
        match
        for address in pages_with_figures
        for match in re.findall(r'<img[^>]+src="(/media/[^"]+)"', get(address)[2])
    ]
    assert images, "the demo content has figures"
    for path in (stylesheet, images[0]):
        get(base + path)
        status, headers, _body = get(base + path)
        assert (status, headers["X-Cache"]) == (200, "HIT"), path


def test_admin_previews_and_posts_are_never_cached(cluster):
    base = cluster["base"]
    for path in ["/admin/login/", "/en/preview/articles/1/", "/consent/status/", "/en/cookies/"]:
        for _ in range(2):
            _status, headers, _body = get(base + path)
            assert headers["X-Cache"] == "MISS", path
    feedback = urllib.request.Request(
        base + "/en/articles/what-are-nets/feedback/",
        data=b"helpful=yes",
        headers={"Origin": base},
        method="POST",
    )
    for _ in range(2):
        try:
            with urllib.request.urlopen(feedback, timeout=30) as response:
                headers = dict(response.headers)
        except urllib.error.HTTPError as error:
            headers = dict(error.headers)
        assert headers["X-Cache"] == "MISS"


def test_a_publication_reaches_the_next_visitor_and_nothing_else_is_purged(cluster):
    base = cluster["base"]
    edited = base + "/en/articles/gep-nets/"
    other = base + "/en/articles/compassionate-use/"
    directory = base + "/en/patient-groups/"
    for url in (edited, other, directory):
        get(url)
        assert get(url)[1]["X-Cache"] == "HIT"
    as_editor(
        cluster,
        """
from django.contrib.auth import get_user_model
from netinfo.articles import services
from netinfo.articles.models import Article
from netinfo.articles.services import ChangeNote

article = Article.objects.get(slug_en="gep-nets")
article.body_en += "\\n\\nA sentence the front-cache test added."
services.publish_editorial_fix(
    article,
    get_user_model().objects.get(username="admin"),
    note=ChangeNote("editorial", {"en": "A test sentence."}),
)
""",
    )
    status, headers, body = get(edited)
    assert status == 200
    assert "A sentence the front-cache test added." in body
    assert headers["X-Cache"] == "MISS"
    assert get(other)[1]["X-Cache"] == "HIT"
    assert get(directory)[1]["X-Cache"] == "HIT"


def test_purging_is_refused_from_other_addresses(cluster):
    port = urllib.parse.urlsplit(cluster["base"]).port
    # 127.0.0.2 is this machine too, but not in the VCL's purgers ACL.
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=("127.0.0.2", 0)
    )
    connection.request("BAN", "/", headers={"Surrogate-Key": "site-chrome"})
    assert connection.getresponse().status == 403
    connection.close()
    url = cluster["base"] + "/en/"
    get(url)
    assert get(url)[1]["X-Cache"] == "HIT"  # nothing was banned


def backend_health(cluster):
    """{backend name: "healthy" or "sick"} as Varnish's health checks see them now."""
    listing = subprocess.run(
        ["varnishadm", "-n", str(cluster["directory"] / "varnish"), "backend.list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        match[1]: match[2].lower()
        for match in re.finditer(r"^\S*?(app\d)\s+.*?\b(healthy|sick)\b", listing, re.M | re.I)
    }


def test_a_stopped_app_server_is_taken_out_and_the_other_serves(cluster):
    app1 = parts.read_state(cluster["directory"])["servers"]["app1"]["pid"]
    # The whole server (gunicorn's master and workers) hangs: connections get no answer.
    os.killpg(app1, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + 30
        while backend_health(cluster).get("app1") != "sick":
            assert time.monotonic() < deadline, backend_health(cluster)
            time.sleep(0.5)
        served = set()
        for number in range(6):
            # Searches nobody made before: each is fetched from an app server.
            status, headers, _body = get(cluster["base"] + f"/en/search/?q=stopped{number}")
            assert status == 200
            served.add(headers["X-Served-By"])
        assert served == {"app2"}
    finally:
        os.killpg(app1, signal.SIGCONT)
    deadline = time.monotonic() + 30
    while backend_health(cluster).get("app1") != "healthy":  # and back once it answers
        assert time.monotonic() < deadline, backend_health(cluster)
        time.sleep(0.5)


def test_sessions_work_whichever_server_answers(cluster):
    base = cluster["base"]
    password = "a-test-password-for-the-cluster"
    as_editor(
        cluster,
        f"""
from django.contrib.auth import get_user_model
user, _ = get_user_model().objects.get_or_create(username="session-test", is_staff=True)
user.set_password("{password}")
user.save()
""",
    )
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _status, _headers, page = get(base + "/admin/login/", opener=opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": "session-test",
            "password": password,
            "next": "/admin/",
        }
    ).encode()
    login = urllib.request.Request(
        base + "/admin/login/", data=form, headers={"Referer": base + "/admin/login/"}
    )
    with opener.open(login, timeout=30) as response:
        assert response.status == 200
    served = set()
    for _ in range(6):
        status, headers, body = get(base + "/admin/", opener=opener)
        assert status == 200
        assert "session-test" in body  # signed in, on either server
        assert headers["X-Cache"] == "MISS"
        served.add(headers["X-Served-By"])
    assert served == {"app1", "app2"}
