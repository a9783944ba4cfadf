"""
`make bench`: serve a generated benchmark database with gunicorn (2 workers, production
settings) and load it with wrk, then report requests/s, latency and errors per page, as ratios
to a bare "hello" view served by the same process.

Each page is loaded in rounds, each round right after a round of hello of the same length, and
its ratio is to those hello rounds: the speed of a shared machine drifts by a third from one
minute to the next (docs/performance.md), and a page measured minutes after its hello carried
that drift into its ratio.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ... import cluster

# The bars (docs/performance.md): a page's requests/s at least this many times hello's. With
# PostgreSQL and Redis each query and cache read is a round trip to another process on the
# same cores, so its bars are lower.
TARGETS = {
    "SQLite": {
        "home": 0.15,
        "article (cache off)": 0.15,
        "article (cache on)": 0.75,
        "directory": 0.15,
        "search": 0.10,
        "article (front cache)": 10,
        "directory (front cache)": 10,
    },
    "PostgreSQL": {
        "home": 0.12,
        "article (cache off)": 0.12,
        "article (cache on)": 0.65,
        "directory": 0.12,
        "search": 0.08,
        "article (front cache)": 10,
        "directory (front cache)": 10,
    },
}


def parse_wrk(output):
    """Requests/s, p50 and p99 in milliseconds, and the error count from wrk --latency output."""

    def ms(text):
        match = re.match(r"([\d.]+)(us|ms|s|m)$", text)
        if not match:
            raise CommandError(f"Cannot read a latency from wrk's output: {text!r}\n{output}")
        value, unit = match.groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50 = ms(re.search(r"^\s*50%\s+(\S+)", output, re.M)[1])
    p99 = ms(re.search(r"^\s*99%\s+(\S+)", output, re.M)[1])
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non2xx[1]) if non2xx else 0
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors}


def combine(rounds):
    """
    One result from wrk rounds of equal length: their mean requests/s, the median of their p50s
    and of their p99s (wrk reports percentiles per run, which cannot be merged exactly), and all
    their errors.
    """
    middle = len(rounds) // 2
    return {
        "rps": round(sum(r["rps"] for r in rounds) / len(rounds), 1),
        "p50_ms": sorted(r["p50_ms"] for r in rounds)[middle],
        "p99_ms": sorted(r["p99_ms"] for r in rounds)[middle],
        "errors": sum(r["errors"] for r in rounds),
    }


class Command(BaseCommand):
    help = "Benchmark the public pages against a bare view on the same server (needs wrk)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=10, help="Load time per page.")
        parser.add_argument(
            "--rounds",
            type=int,
            default=5,
            help="Rounds per page, each after a round of hello of the same length.",
        )
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--fresh", action="store_true", help="Regenerate the SQLite data.")

    def handle(self, seconds, connections, rounds, fresh, **options):
        if not shutil.which("wrk"):
            raise CommandError("wrk is missing: apt-get install wrk (make bench does it as root).")
        base = Path(settings.BASE_DIR) / "var" / "bench"
        base.mkdir(parents=True, exist_ok=True)
        database = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
        if not database:
            sqlite = base / "bench.sqlite3"
            if fresh and sqlite.exists():
                sqlite.unlink()
            database = f"sqlite:///{sqlite}"
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(base / "static"),
            "DJANGO_SECURE_COOKIES": "0",
            "NETINFO_BENCHMARK": "1",
            "MEDIA_ROOT": str(base / "media"),
            "DJANGO_CACHE_DIR": str(base / "cache"),
        }
        env.pop("DJANGO_DEBUG", None)
        manage = [sys.executable, "manage.py"]
        cwd = settings.BASE_DIR
        self.stdout.write(
            "Preparing the benchmark database (the first run takes a few minutes) ..."
        )
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=cwd, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, cwd=cwd, check=True)
        filled = subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from netinfo.articles.models import Article; print(Article.objects.count())",
            ],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
        if int(filled.stdout.strip().splitlines()[-1]) == 0:
            subprocess.run([*manage, "generate_bench_data"], env=env, cwd=cwd, check=True)

        pages = {
            "home": "/en/",
            "article": "/en/articles/article-7/",
            "directory": "/en/patient-groups/",
            "directory filter": "/en/patient-groups/?region=europe&language=en",
            "search": "/en/search/?q=somatostatin+receptor",
        }
        runs = [
            ("cache off", "0", ["home", "article", "directory", "directory filter", "search"]),
            ("cache on", "600", ["article"]),
        ]
        results, hellos = {}, []
        for label, cache_seconds, names in runs:
            port = cluster.free_port()
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "netinfo.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                env={**env, "NETINFO_PAGE_CACHE_SECONDS": cache_seconds},
                cwd=cwd,
            )
            try:
                root = f"http://127.0.0.1:{port}"
                cluster.wait_until_up(root + "/bench/hello", process=server)
                for path in ["/bench/hello", *(pages[n] for n in names)]:
                    urllib.request.urlopen(root + path, timeout=30).read()  # warm up
                for name in names:
                    key = f"{name} ({label})" if name == "article" else name
                    hello, page = self.interleaved(
                        root + "/bench/hello", root + pages[name], seconds, rounds, connections
                    )
                    page["ratio"] = round(page["rps"] / hello["rps"], 3)
                    page["hello_rps"] = hello["rps"]
                    results[key] = page
                    if label == "cache off":
                        hellos.append(hello)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
        results.update(self.front_cache(env, pages, seconds, rounds, connections, base))
        # The hello rounds of the cache-off server, all pages together.
        results["hello"] = {**combine(hellos), "ratio": 1.0}
        self.report(results, seconds, rounds, connections, database, base)

    def front_cache(self, env, pages, seconds, rounds, connections, base):
        """
        The article and the directory through Varnish (deploy/varnish/default.vcl) in front of
        two cache-on servers, against the first one's hello; how soon an edit made through
        the services shows through Varnish; and a load through Varnish while one app server
        is stopped and started again.
        """
        try:
            cluster.varnishd()
        except cluster.ClusterError as error:
            raise CommandError(f"{error} (make bench installs it as root).") from error
        app_ports = [cluster.free_port(), cluster.free_port()]
        varnish_port = cluster.free_port()
        front = f"http://127.0.0.1:{varnish_port}"
        server_env = {
            **env,
            "NETINFO_PAGE_CACHE_SECONDS": "600",
            "NETINFO_FRONTEND_CACHES": front + "/",
        }
        parts = cluster.Cluster(base / "front-cache")
        results = {}
        try:
            for number, port in enumerate(app_ports, start=1):
                parts.app_server(f"app{number}", port, server_env)
            parts.varnish(varnish_port, app_ports)
            hello_url = f"http://127.0.0.1:{app_ports[0]}/bench/hello"
            for name in ("article", "directory"):
                for _ in range(2):
                    urllib.request.urlopen(front + pages[name], timeout=30).read()  # warm up
                hello, page = self.interleaved(
                    hello_url, front + pages[name], seconds, rounds, connections
                )
                page["ratio"] = round(page["rps"] / hello["rps"], 3)
                page["hello_rps"] = hello["rps"]
                results[f"{name} (front cache)"] = page
            results["purge to fresh"] = self.purge_to_fresh(server_env, front + pages["article"])
            results["failover"] = self.failover(parts, front, app_ports[0], server_env, base)
        finally:
            parts.stop_all()
        return results

    def failover(self, parts, front, port, env, base, seconds=60):
        """
        Errors seen by visitors during `seconds` of load through Varnish while app1 is stopped
        (gracefully, as a deploy does) a quarter in and started again at the half: requests
        that reach the app servers (the health check, searches nobody made before), and
        cached article pages.
        """
        script = base / "failover.lua"
        script.write_text(
            "counter = 0\n"
            "request = function()\n"
            "  counter = counter + 1\n"
            "  local paths = {'/healthz', '/en/search/?q=failover' .. counter, "
            "'/en/articles/article-7/'}\n"
            "  return wrk.format('GET', paths[counter % 3 + 1])\n"
            "end\n"
        )
        load = subprocess.Popen(
            ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), front],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(seconds / 4)
        parts.stop("app1")
        time.sleep(seconds / 4)
        parts.app_server("app1", port, env)
        output, _errors = load.communicate(timeout=seconds * 3)
        result = parse_wrk(output)
        requests = int(re.search(r"(\d+) requests in", output)[1])
        return {"seconds": seconds, "requests": requests, "errors": result["errors"]}

    def purge_to_fresh(self, env, url, edits=5):
        """Milliseconds from an edit's commit to the first response with it through Varnish."""
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        script = f"""
import time, urllib.request
import django
django.setup()
from django.contrib.auth import get_user_model
from netinfo.articles import services
from netinfo.articles.models import Article
from netinfo.articles.services import ChangeNote

editor = get_user_model().objects.filter(username="bench-editor").first()
if editor is None:
    editor = get_user_model().objects.create_superuser("bench-editor", password=None)
for number in range({edits}):
    urllib.request.urlopen({url!r}).read()  # in the front cache
    article = Article.objects.get(slug_en={slug!r})
    marker = f"Benchmark edit {{time.time_ns()}}."
    article.body_en += "\\n\\n" + marker
    note = ChangeNote("editorial", {{"en": "Benchmark edit."}})
    services.publish_editorial_fix(article, editor, note=note)
    committed = time.monotonic()  # the service returns once its transaction has committed
    while marker not in urllib.request.urlopen({url!r}).read().decode():
        time.sleep(0.002)
    print(round((time.monotonic() - committed) * 1000, 1))
"""
        output = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if output.returncode != 0:
            raise CommandError(f"The purge-to-fresh measurement failed:\n{output.stderr[-3000:]}")
        times = sorted(float(line) for line in output.stdout.split())
        return {"edits": len(times), "median_ms": times[len(times) // 2], "max_ms": times[-1]}

    def interleaved(self, hello_url, page_url, seconds, rounds, connections):
        """`rounds` rounds of hello, each followed by one of the page: (hello, page) results."""
        length = max(1, round(seconds / rounds))
        hellos, pages = [], []
        for _ in range(rounds):
            hellos.append(self.load(hello_url, length, connections))
            pages.append(self.load(page_url, length, connections))
        return combine(hellos), combine(pages)

    def load(self, url, seconds, connections):
        output = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return parse_wrk(output)

    def report(self, results, seconds, rounds, connections, database, base):
        order = [
            "hello",
            "home",
            "article (cache off)",
            "article (cache on)",
            "directory",
            "directory filter",
            "search",
            "article (front cache)",
            "directory (front cache)",
        ]
        lines = [
            "| page | requests/s | p50 ms | p99 ms | errors | ratio to hello | target |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
        for name in order:
            r = results[name]
            target = TARGETS[engine].get(name)
            verdict = f">= {target} {'met' if r['ratio'] >= target else 'MISSED'}" if target else ""
            lines.append(
                f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {r['ratio']:.2f} | {verdict} |"
            )
        cache = "Redis" if os.environ.get("REDIS_URL") else "files"
        purge = results["purge to fresh"]
        lines.append(
            f"\nPurge to fresh (an edit through the services, then the first response with it "
            f"through Varnish), {purge['edits']} edits: median {purge['median_ms']:.0f} ms, "
            f"max {purge['max_ms']:.0f} ms; target <= 1000 ms "
            f"{'met' if purge['max_ms'] <= 1000 else 'MISSED'}."
        )
        failover = results["failover"]
        lines.append(
            f"Failover: {failover['requests']} requests through Varnish in "
            f"{failover['seconds']} s while app1 was stopped and started again: "
            f"{failover['errors']} errors; target 0 "
            f"{'met' if failover['errors'] == 0 else 'MISSED'}."
        )
        self.stdout.write("\n".join(lines))
        self.stdout.write(
            f"\n{engine}, cache in {cache}, gunicorn 2 workers, wrk 2 threads {connections} connections, {seconds}s "
            f"per page in {rounds} rounds, each after a round of hello (its ratio is to those), "
            f"{os.cpu_count()} CPUs."
        )
        record = {
            "when": timezone.now().isoformat(),
            "database": engine,
            "cache": cache,
            "seconds": seconds,
            "rounds": rounds,
            "connections": connections,
            "cpus": os.cpu_count(),
            "results": results,
        }
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        for path in (base / f"results-{stamp}.json", base / "latest.json"):
            path.write_text(json.dumps(record, indent=2))
        self.stdout.write(f"Results written to {base / 'latest.json'}")
