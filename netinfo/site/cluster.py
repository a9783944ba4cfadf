"""
Several app servers behind Varnish on this machine, as production runs them: `make cluster`
(manage.py cluster), the front-cache tests and `make bench` start them with these helpers.
Everything listens on 127.0.0.1 only.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

VCL = Path(settings.BASE_DIR) / "deploy" / "varnish" / "default.vcl"
# The backends' ports as deploy/varnish/default.vcl has them.
VCL_PORTS = ("8001", "8002")


class ClusterError(CommandError):
    """What stops a cluster from starting; the commands report it as their error."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until_up(url, timeout=60, process=None):
    """Until `url` answers 200; an error if `process` ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ClusterError(
                f"{url}: the server stopped (exit status {process.returncode}); see its log."
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise ClusterError(f"Nothing answered {url} within {timeout} seconds.")


def is_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(package):
    """Install a Debian package when running as root; otherwise say what to do."""
    if not (is_root() and shutil.which("apt-get")):
        raise ClusterError(f"{package} is missing: sudo apt-get install {package}")
    print(f"Installing {package} from Debian's packages ...", flush=True)
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.run(["apt-get", "update", "-qq"], check=True, **quiet)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", package],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        **quiet,
    )


def varnishd(install=True):
    """The varnishd program (Debian puts it in /usr/sbin), installed if missing and allowed."""
    found = shutil.which("varnishd", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if not found and install:
        apt_install("varnish")
        found = shutil.which("varnishd", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    return found


def vcl_for(app_ports):
    """deploy/varnish/default.vcl with its two backends on `app_ports` (one port: both)."""
    ports = list(app_ports) * (2 if len(app_ports) == 1 else 1)
    text = VCL.read_text()
    for default, port in zip(VCL_PORTS, ports, strict=True):
        text = text.replace(f'.port = "{default}";', f'.port = "{port}";')
    return text


class Cluster:
    """The processes started, stopped in the reverse order."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        # varnishd reads its VCL as its own user (varnish) once it has dropped root.
        self.directory.chmod(0o755)
        self.processes = {}  # name: Popen
        self.stops = []  # callables for what is not a child process (a PostgreSQL cluster)

    def start(self, name, command, env=None):
        with open(self.directory / f"{name}.log", "ab") as log:  # the child keeps its own copy
            self.processes[name] = subprocess.Popen(
                command,
                env=env,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the cluster, which stops them in order
            )
        return self.processes[name]

    def stop(self, name, timeout=15):
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self):
        for name in reversed(list(self.processes)):
            self.stop(name)
        for stop in reversed(self.stops):
            stop()
        self.stops.clear()

    # The parts -----------------------------------------------------------------------------

    def app_server(self, name, port, env):
        process = self.start(
            name,
            [
                *(sys.executable, "-m", "gunicorn", "netinfo.wsgi"),
                *("--workers", "2", "--bind", f"127.0.0.1:{port}"),
                *("--graceful-timeout", "10", "--log-level", "warning"),
            ],
            env=env,
        )
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process=process)
        return process

    def varnish(self, port, app_ports, *, storage="malloc,256m"):
        binary = varnishd()
        workdir = self.directory / "varnish"
        workdir.mkdir(exist_ok=True)
        vcl = self.directory / "default.vcl"
        vcl.write_text(vcl_for(app_ports))
        process = self.start(
            "varnish",
            [
                *(binary, "-F", "-n", str(workdir), "-a", f"127.0.0.1:{port}"),
                *("-f", str(vcl), "-s", storage),
                # Bans are checked against cached objects every 0.1 s rather than every 10 s.
                *("-p", "ban_lurker_sleep=0.1"),
            ],
        )
        wait_until_up(f"http://127.0.0.1:{port}/healthz", timeout=30, process=process)
        return process

    def redis(self, port):
        binary = shutil.which("redis-server")
        if not binary:
            apt_install("redis-server")
            binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        process = self.start(
            "redis",
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        deadline = time.monotonic() + 15
        while not port_open(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise ClusterError(f"Redis did not start on port {port}: see {process.args}")
            time.sleep(0.2)
        return f"redis://127.0.0.1:{port}/0"

    def postgres(self, port):
        """A throwaway PostgreSQL cluster on `port`; its DATABASE_URL."""
        bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bindirs:
            apt_install("postgresql")
            bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        bindir = bindirs[-1]
        data = Path(tempfile.mkdtemp(prefix="netinfo-cluster-pg-"))
        # PostgreSQL refuses to run as root: then it runs as the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if is_root() else []
        if is_root():
            shutil.chown(data, "postgres", "postgres")
        quiet = {"check": True, "stdout": subprocess.DEVNULL}
        subprocess.run(
            [*prefix, bindir / "initdb", "-D", data / "data", "-U", "postgres"]
            + ["--auth=trust", "--encoding=UTF8", "--no-locale"],
            **quiet,
        )
        options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*prefix, bindir / "pg_ctl", "-D", data / "data", "-o", options]
            + ["-l", data / "postgres.log", "-w", "start"],
            **quiet,
        )

        def stop():
            subprocess.run(
                [*prefix, bindir / "pg_ctl", "-D", data / "data", "-m", "fast", "-w", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
            shutil.rmtree(data, ignore_errors=True)

        self.stops.append(stop)
        subprocess.run(
            [bindir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "netinfo"],
            **quiet,
        )
        return f"postgres://postgres@127.0.0.1:{port}/netinfo"


def app_environment(directory, *, database_url, redis_url, varnish_port):
    """What every app server of the cluster (and a tool working on its data) runs with."""
    directory = Path(directory)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NETINFO_", "PYTEST")) and key != "REDIS_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "netinfo.settings",
            "DATABASE_URL": database_url,
            # One secret for all: a session signed by one server is read by the other.
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: cookies without the Secure flag, or browsers drop them.
            "DJANGO_SECURE_COOKIES": "0",
            # Varnish adds the visitor's address to X-Forwarded-For (login lockouts use it).
            "DJANGO_BEHIND_PROXY": "1",
            "DJANGO_STATIC_ROOT": str(directory / "static"),
            # Uploads on a folder every server shares (see README, "Behind a cache").
            "MEDIA_ROOT": str(directory / "media"),
            "NETINFO_FRONTEND_CACHES": f"http://127.0.0.1:{varnish_port}/",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        # No Redis: the servers on this machine share a cache in files.
        env["DJANGO_CACHE_DIR"] = str(directory / "cache")
    return env


def write_state(directory, **state):
    """The cluster's addresses, process ids and environment, for `cluster --stop` and tools."""
    path = Path(directory) / "cluster.json"
    path.touch(mode=0o600)  # it holds the cluster's secret key
    path.write_text(json.dumps(state, indent=2))


def read_state(directory):
    path = Path(directory) / "cluster.json"
    return json.loads(path.read_text()) if path.exists() else None
