"""
The link checker against web servers the test starts on 127.0.0.1: what each kind of answer
becomes, "broken" only after two runs, redirects and their suggestion, the concurrency limits,
a bounded run, what staff see (admin filters and fields, dashboard, CSV), and that it never
connects to or looks up anything but loopback.
"""

import io
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from netinfo.links.models import Link, LinkUse
from tests.factories import (
    make_article,
    make_group,
    make_reference,
    make_term,
    make_user,
    refresh,
)

LOOPBACK = ["127.0.0.0/8", "::1/128"]

# Every connection and name lookup a test makes while NETWORK_LOG is a list (audit events are a
# public Python API; hooks cannot be removed, so this one only records when asked to).
NETWORK_LOG = None


def _audit(event, args):
    if NETWORK_LOG is not None and event in ("socket.connect", "socket.getaddrinfo"):
        NETWORK_LOG.append((event, args[1] if event == "socket.connect" else args[0]))


sys.addaudithook(_audit)


class Handler(BaseHTTPRequestHandler):
    """Answers by path; the server object keeps what the test can change and inspect."""

    REDIRECTS = {
        "/chain-1": (301, "/chain-2"),
        "/chain-2": (301, "/ok"),
        "/temporary": (302, "/ok"),
        "/loop-a": (301, "/loop-b"),
        "/loop-b": (301, "/loop-a"),
        "/doi/10.1000/nets.1": (302, "/ok"),
    }
    STATUSES = {"/ok": 200, "/missing": 404, "/gone": 410, "/bot-wall": 403}

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    def answer(self, head):
        server = self.server
        with server.lock:
            server.requests.append((self.command, self.path, self.headers.get("User-Agent")))
            server.active += 1
            server.most_active = max(server.most_active, server.active)
            server.shared.append(1)
            server.shared_most[0] = max(server.shared_most[0], len(server.shared))
        try:
            status, location = self.route(head)
            time.sleep(server.delays.get(self.path.split("?")[0], 0))
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        finally:
            with server.lock:
                server.active -= 1
                server.shared.pop()

    def route(self, head):
        path = self.path.split("?")[0]
        if path in self.REDIRECTS:
            return self.REDIRECTS[path]
        if path == "/flaky":
            return (200 if self.server.flaky_fixed else 500), None
        if path == "/no-head":
            return (405 if head else 200), None
        if path.startswith(("/slow", "/busy")):
            return 200, None
        return self.STATUSES.get(path, 404), None

    def log_message(self, *args):
        pass  # quiet test output


def start_server(test, shared=None):
    """A threaded server on 127.0.0.1, stopped when the test ends; returns its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock() if shared is None else shared["lock"]
    server.requests = []
    server.active = server.most_active = 0
    # Counted over every server of a test that shares them: the run's total at a time.
    server.shared = [] if shared is None else shared["active"]
    server.shared_most = [0] if shared is None else shared["most"]
    server.flaky_fixed = False
    server.delays = {"/slow": 3}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    test.addCleanup(thread.join, 5)
    test.addCleanup(server.server_close)
    test.addCleanup(server.shutdown)
    host, port = server.server_address
    return server, f"http://{host}:{port}"


def closed_port():
    """A port on 127.0.0.1 nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_check(*args, **kwargs):
    """call_command("check_links"); returns (exit status, output)."""
    out = io.StringIO()
    try:
        call_command("check_links", *args, stdout=out, stderr=io.StringIO(), **kwargs)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def links():
    return {link.url: link for link in Link.objects.all()}


@override_settings(LINK_CHECK_NETWORKS=LOOPBACK)
class LinkCheckerTests(TestCase):
    def setUp(self):
        global NETWORK_LOG
        self.server, self.base = start_server(self)
        self.refused = f"http://127.0.0.1:{closed_port()}/"
        paths = ["/ok", "/chain-1", "/temporary", "/missing", "/gone", "/flaky", "/loop-a"]
        paths += ["/no-head", "/bot-wall", "/slow"]
        body = "\n\n".join(
            f"Read [the page called {path[1:]}]({self.base}{path})." for path in paths
        )
        self.article = make_article(
            "linked", body=body + f"\n\nAnd [a dead server]({self.refused})."
        )
        self.reference = make_reference("linked-ref", url=f"{self.base}/gone", doi="10.1000/nets.1")
        self.group = make_group("Linked group", website=f"{self.base}/missing")
        self.term = make_term(
            "carcinoid",
            "carcinoid",
            definition_en=f"An older name; see [the NET page]({self.base}/ok).",
        )
        NETWORK_LOG = []
        self.addCleanup(self.stop_logging)

    def stop_logging(self):
        global NETWORK_LOG
        NETWORK_LOG = None

    def check(self, *args):
        with self.settings(LINK_CHECK_DOI_RESOLVER=f"{self.base}/doi/"):
            return run_check("--timeout", "0.5", *args)

    def test_what_each_answer_becomes(self):
        status, output = self.check()
        self.assertEqual(status, 0, output)  # nothing has failed twice yet
        found = links()
        url = self.base
        expected = {
            # url: (outcome, status, problem, failures in a row)
            f"{url}/ok": ("ok", 200, "", 0),
            f"{url}/chain-1": ("ok", 200, "", 0),
            f"{url}/temporary": ("ok", 200, "", 0),
            f"{url}/missing": ("failed", 404, "http-error", 1),
            f"{url}/gone": ("failed", 410, "http-error", 1),
            f"{url}/flaky": ("failed", 500, "http-error", 1),
            f"{url}/loop-a": ("failed", 301, "redirect-loop", 1),
            f"{url}/no-head": ("ok", 200, "", 0),
            f"{url}/bot-wall": ("refused", 403, "", 0),
            f"{url}/slow": ("failed", None, "timeout", 1),
            self.refused: ("failed", None, "connection", 1),
            f"{url}/doi/10.1000/nets.1": ("ok", 200, "", 0),
        }
        self.assertEqual(set(found), set(expected))
        for address, (outcome, code, problem, failures) in expected.items():
            with self.subTest(address):
                link = found[address]
                self.assertEqual(
                    (link.outcome, link.status, link.problem, link.failures_in_a_row),
                    (outcome, code, problem, failures),
                )
                self.assertIsNotNone(link.checked_at)
                self.assertFalse(link.is_broken)
        # A chain of permanent redirects suggests its end; a temporary one suggests nothing.
        chain = found[f"{url}/chain-1"]
        self.assertEqual(chain.final_url, f"{url}/ok")
        self.assertTrue(chain.permanent_redirect)
        self.assertEqual(chain.suggested_url, f"{url}/ok")
        self.assertEqual(found[f"{url}/temporary"].final_url, f"{url}/ok")
        self.assertEqual(found[f"{url}/temporary"].suggested_url, "")
        self.assertIn(f"MOVED {url}/chain-1 -> {url}/ok", output)
        # HEAD first; GET only where HEAD got an error status.
        requests = [(method, path) for method, path, _agent in self.server.requests]
        # Itself, the end of the chain, of the temporary redirect and of the DOI.
        self.assertEqual(requests.count(("HEAD", "/ok")), 4)
        self.assertNotIn(("GET", "/ok"), requests)
        self.assertIn(("HEAD", "/no-head"), requests)
        self.assertIn(("GET", "/no-head"), requests)
        self.assertEqual(
            {agent for _m, _p, agent in self.server.requests},
            {"NETInfo-LinkChecker/1.0 (+mailto:info@netinfo.example)"},
        )
        # Where each address is used.
        uses = {(use.link.url, use.label, use.where()) for use in LinkUse.objects.all()}
        self.assertIn((f"{url}/missing", "Linked group", "website"), uses)
        self.assertIn((f"{url}/missing", "Linked", "text (en)"), uses)
        self.assertIn((f"{url}/gone", "linked-ref", "URL"), uses)
        self.assertIn((f"{url}/doi/10.1000/nets.1", "linked-ref", "DOI"), uses)
        self.assertIn((f"{url}/ok", "carcinoid", "definition (en)"), uses)

    def test_broken_only_after_failing_on_two_runs(self):
        self.assertEqual(self.check()[0], 0)
        self.assertFalse(Link.objects.broken().exists())
        self.server.flaky_fixed = True  # the 500 was a bad minute
        status, output = self.check()
        self.assertEqual(status, 1)  # for cron: broken links remain
        found = links()
        self.assertEqual(found[f"{self.base}/flaky"].outcome, "ok")
        self.assertEqual(found[f"{self.base}/flaky"].failures_in_a_row, 0)
        broken = {f"{self.base}{path}" for path in ("/missing", "/gone", "/loop-a", "/slow")} | {
            self.refused
        }
        self.assertEqual(set(Link.objects.broken().values_list("url", flat=True)), broken)
        self.assertIn(f"BROKEN {self.base}/missing [The site answered with an error page", output)
        # A refusal neither breaks nor clears a link.
        self.assertFalse(found[f"{self.base}/bot-wall"].is_broken)
        # Fixed in the text: the next run forgets the address.
        self.article.body_en = f"Read [the working page]({self.base}/ok)."
        refresh(self.article)
        self.check()
        self.assertNotIn(f"{self.base}/loop-a", links())

    def test_concurrency_limits(self):
        shared = {"lock": threading.Lock(), "active": [], "most": [0]}
        first, first_url = start_server(self, shared)
        second, second_url = start_server(self, shared)
        for server in (first, second):
            server.delays = {f"/busy/{number}": 0.3 for number in range(6)}
        body = "\n\n".join(
            f"See [page {number} of {base}]({base}/busy/{number})."
            for base in (first_url, second_url)
            for number in range(6)
        )
        self.article.body_en = body
        refresh(self.article)
        self.reference.delete()
        self.group.delete()
        self.term.delete()
        self.check("--concurrency", "3", "--per-host", "2")
        self.assertEqual(len(first.requests), 6)
        self.assertEqual(len(second.requests), 6)
        self.assertLessEqual(first.most_active, 2)
        self.assertLessEqual(second.most_active, 2)
        self.assertLessEqual(shared["most"][0], 3)
        self.assertGreaterEqual(shared["most"][0], 2)  # and it does check several at a time

    def test_run_time_is_bounded(self):
        self.server.delays = {f"/slow/{number}": 20 for number in range(4)}
        self.article.body_en = "\n\n".join(
            f"See [slow page {number}]({self.base}/slow/{number})." for number in range(4)
        )
        refresh(self.article)
        self.reference.delete()
        self.group.delete()
        self.term.delete()
        started = time.monotonic()
        status, output = self.check("--timeout", "30", "--max-time", "1", "--concurrency", "1")
        self.assertLess(time.monotonic() - started, 15)  # not 4 x 20 s
        self.assertEqual(status, 0)
        self.assertIn("left for the next run (time limit)", output)
        self.assertEqual(
            set(Link.objects.values_list("outcome", flat=True)), {Link.Outcome.UNCHECKED}
        )

    def test_only_loopback_is_reached(self):
        # Addresses outside the allowed networks, written as addresses or as a name.
        self.group.website = "http://192.0.2.10/"
        self.group.save()
        self.reference.url = "http://[2001:db8::1]/page"
        self.reference.save()
        self.check()
        found = links()
        for address in ("http://192.0.2.10/", "http://[2001:db8::1]/page"):
            self.assertEqual(found[address].outcome, "skipped")
            self.assertEqual(found[address].problem, "not-allowed")
        connected = {address[0] for event, address in NETWORK_LOG if event == "socket.connect"}
        looked_up = {host for event, host in NETWORK_LOG if event == "socket.getaddrinfo"}
        self.assertTrue(connected)
        self.assertLessEqual(connected, {"127.0.0.1"})
        self.assertLessEqual(looked_up, {"127.0.0.1"})

    def test_production_default_allows_public_addresses_only(self):
        # Without LINK_CHECK_NETWORKS, an address in the text cannot make the server probe its
        # own machine or network: loopback is refused before any connection.
        with self.settings(LINK_CHECK_NETWORKS=[]):
            self.check()
        self.assertEqual(self.server.requests, [])
        self.assertEqual(set(Link.objects.values_list("outcome", flat=True)), {"skipped"})
        self.assertFalse([event for event, _args in NETWORK_LOG if event == "socket.connect"])

    def test_a_name_resolving_outside_the_networks_is_refused(self):
        # "localhost" is looked up locally (/etc/hosts), and leads to loopback, not allowed here.
        self.group.website = f"http://localhost:{self.server.server_address[1]}/ok"
        self.group.save()
        with self.settings(LINK_CHECK_NETWORKS=["10.0.0.0/8"]):
            self.check()
        self.assertEqual(links()[self.group.website].problem, "not-allowed")
        self.assertEqual(self.server.requests, [])

    def test_dois_only_when_the_setting_allows(self):
        with self.settings(LINK_CHECK_DOI_RESOLVER=""):
            run_check("--timeout", "0.5")
        self.assertFalse(any("/doi/" in url for url in links()))

    def test_progress_on_a_terminal(self):
        class Terminal(io.StringIO):
            def isatty(self):
                return True

        terminal = Terminal()
        with self.settings(LINK_CHECK_DOI_RESOLVER=""):
            call_command("check_links", "--timeout", "0.5", stdout=io.StringIO(), stderr=terminal)
        self.assertIn("\r11 of 11 checked", terminal.getvalue())


@override_settings(LINK_CHECK_NETWORKS=LOOPBACK, LINK_CHECK_DOI_RESOLVER="")
class LinkResultsForStaffTests(TestCase):
    """What the two runs found, where editors, reviewers and directory staff look."""

    def setUp(self):
        server, base = start_server(self)
        self.article = make_article("dead-link", body=f"See [the old page]({base}/missing).")
        self.fine = make_article("fine-link", body=f"See [the page]({base}/ok).")
        self.moved = make_article("moved-link", body=f"See [the page]({base}/chain-1).")
        self.reference = make_reference("dead-ref", url=f"{base}/gone")
        self.group = make_group("Dead group", website=f"{base}/missing")
        self.missing = f"{base}/missing"
        run_check()
        run_check()

    def changelist(self, user, model, query):
        self.client.force_login(user)
        response = self.client.get(reverse(f"admin:{model}_changelist") + query)
        self.assertEqual(response.status_code, 200)
        return list(response.context["cl"].result_list)

    def test_broken_links_filters(self):
        editor = make_user("editor", groups=["Editors"])
        staff = make_user("staff", groups=["Directory staff"])
        self.assertEqual(
            self.changelist(editor, "netinfo_article", "?links=broken"), [self.article]
        )
        self.assertEqual(self.changelist(editor, "netinfo_article", "?links=moved"), [self.moved])
        self.assertEqual(
            self.changelist(editor, "references_reference", "?links=broken"), [self.reference]
        )
        self.assertEqual(
            self.changelist(staff, "patient_groups_patientgroup", "?links=broken"), [self.group]
        )
        found = self.changelist(staff, "links_link", "?state=broken")
        self.assertEqual({link.url for link in found}, {self.missing, self.reference.url})

    def test_the_objects_form_says_which_link_is_broken(self):
        self.client.force_login(make_user("editor", groups=["Editors"]))
        response = self.client.get(reverse("admin:netinfo_article_change", args=[self.article.pk]))
        self.assertContains(response, self.missing)
        self.assertContains(response, "Failed on 2 runs in a row.")
        response = self.client.get(reverse("admin:netinfo_article_change", args=[self.moved.pk]))
        self.assertContains(response, "Moved permanently. Use the new address instead:")

    def test_german_editors_read_it_in_german(self):
        self.client.force_login(make_user("editor", groups=["Editors"]))
        url = reverse("admin:netinfo_article_change", args=[self.article.pk])
        response = self.client.get(url, headers={"accept-language": "de"})
        self.assertContains(response, "Linkprüfung")
        self.assertContains(response, "Bei 2 Prüfläufen in Folge fehlgeschlagen.")
        self.assertContains(response, "Die Website antwortete mit einer Fehlerseite")
        response = self.client.get(reverse("review-dashboard"), headers={"accept-language": "de"})
        self.assertContains(response, "Defekte und umgezogene Links")

    def test_dashboard_lists_broken_links(self):
        self.client.force_login(make_user("editor", groups=["Editors"]))
        response = self.client.get(reverse("review-dashboard"))
        self.assertContains(response, self.missing)
        self.assertContains(response, "Dead group")
        self.assertContains(response, reverse("admin:links_link_csv"))

    def test_csv(self):
        self.client.force_login(make_user("editor", groups=["Editors"]))
        response = self.client.get(reverse("admin:links_link_csv") + "?state=broken")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = response.content.decode("utf-8-sig").splitlines()
        self.assertTrue(rows[0].startswith("url,broken,result,status,problem"))
        self.assertEqual(len(rows), 1 + 3)  # the missing page twice (article, group), the ref
        self.assertTrue(any("Dead group" in row and self.missing in row for row in rows))
        self.client.force_login(make_user("visitor-staff", is_staff=True))
        self.assertEqual(self.client.get(reverse("admin:links_link_csv")).status_code, 403)
