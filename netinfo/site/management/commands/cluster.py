import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ... import cluster as parts

RESTART_AFTER_SECONDS = 2


class Command(BaseCommand):
    help = (
        "Run the site as production does, on this machine's loopback: PostgreSQL (the one in "
        "DATABASE_URL, or a throwaway cluster), Redis (REDIS_URL, or a throwaway server), two "
        "gunicorn app servers and Varnish in front (VARNISH_PORT, default 8080), with the demo "
        "content. Stays in the foreground until Ctrl-C or `manage.py cluster --stop` "
        "(`make cluster-stop`); an app server that stops is started again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stop", action="store_true", help="Stop a running cluster.")
        parser.add_argument(
            "--directory",
            default=os.environ.get("NETINFO_CLUSTER_DIR")
            or Path(settings.BASE_DIR) / "var/cluster",
            help="Logs, uploads, static files and state (default var/cluster).",
        )
        parser.add_argument(
            "--cache",
            choices=["redis", "files"],
            default="redis",
            help="The shared cache: Redis (default) or files in the cluster's directory.",
        )
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo content.")

    def handle(self, stop, directory, cache, no_demo, **options):
        directory = Path(directory)
        if stop:
            return self.stop_running(directory)
        state = parts.read_state(directory)
        if state and pid_alive(state.get("pid")):
            raise CommandError(f"A cluster already runs (process {state['pid']}); stop it first.")
        varnish_port = int(os.environ.get("VARNISH_PORT") or 8080)
        app_ports = [int(p) for p in (os.environ.get("APP_PORTS") or "8001,8002").split(",")]
        for port in [varnish_port, *app_ports]:
            if parts.port_open(port):
                raise CommandError(f"Port {port} is taken; set VARNISH_PORT or APP_PORTS.")
        self.cluster = parts.Cluster(directory)
        # Stop everything on Ctrl-C, `cluster --stop` (SIGTERM) or a closed terminal.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.on_signal)
        try:
            self.run(directory, varnish_port, app_ports, cache, no_demo)
        except (parts.ClusterError, subprocess.CalledProcessError) as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping the cluster ...")
            self.cluster.stop_all()
            (directory / "cluster.json").unlink(missing_ok=True)
            self.stdout.write("Stopped.")

    def on_signal(self, signum, frame):
        raise KeyboardInterrupt

    def run(self, directory, varnish_port, app_ports, cache, no_demo):
        database = os.environ.get("DATABASE_URL") or ""
        if not database:
            self.stdout.write("Starting a throwaway PostgreSQL ...")
            database = self.cluster.postgres(int(os.environ.get("CLUSTER_PG_PORT") or 55432))
        redis = ""
        if cache == "redis":
            redis = os.environ.get("REDIS_URL") or ""
            if not redis:
                self.stdout.write("Starting a throwaway Redis ...")
                redis = self.cluster.redis(int(os.environ.get("CLUSTER_REDIS_PORT") or 56379))
        env = parts.app_environment(
            directory, database_url=database, redis_url=redis, varnish_port=varnish_port
        )
        manage = [sys.executable, "manage.py"]
        # Varnish starts empty after this: nothing to purge yet.
        setup_env = {**env, "NETINFO_FRONTEND_CACHES": ""}
        self.stdout.write("Preparing the database and static files ...")
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["collectstatic", "--noinput", "-v0"],
            ["render_pages", "--missing"],
            *([] if no_demo else [["load_demo_content"], ["ensure_superuser"]]),
        ):
            subprocess.run([*manage, *command], env=setup_env, cwd=settings.BASE_DIR, check=True)
        servers = {}
        for number, port in enumerate(app_ports, start=1):
            servers[f"app{number}"] = port
            self.cluster.app_server(f"app{number}", port, env)
        self.cluster.varnish(varnish_port, app_ports)
        self.save_state(directory, varnish_port, servers, env)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"NET Info through Varnish: http://127.0.0.1:{varnish_port}/",
                    *(f"  {name}: http://127.0.0.1:{port}/" for name, port in servers.items()),
                    f"  database: {database}",
                    f"  cache: {redis or env['DJANGO_CACHE_DIR']}",
                    f"  logs: {directory}/",
                    "Cluster ready. Ctrl-C or `make cluster-stop` stops it.",
                ]
            )
        )
        self.stdout.flush()
        while True:
            time.sleep(1)
            for name, process in list(self.cluster.processes.items()):
                if process.poll() is None:
                    continue
                if name not in servers:
                    raise parts.ClusterError(f"{name} stopped (exit status {process.returncode}).")
                # An app server that stopped (a crash, or a test stopping it) comes back.
                self.stdout.write(f"{name} stopped; starting it again ...")
                time.sleep(RESTART_AFTER_SECONDS)
                self.cluster.app_server(name, servers[name], env)
                self.save_state(directory, varnish_port, servers, env)
                self.stdout.write(f"{name} is back.")
                self.stdout.flush()

    def save_state(self, directory, varnish_port, servers, env):
        parts.write_state(
            directory,
            pid=os.getpid(),
            varnish=f"http://127.0.0.1:{varnish_port}/",
            servers={
                name: {"port": port, "pid": self.cluster.processes[name].pid}
                for name, port in servers.items()
            },
            env={
                key: env[key]
                for key in env
                if key.startswith(("DJANGO_", "NETINFO_", "REDIS", "DATABASE", "MEDIA"))
            },
        )

    def stop_running(self, directory):
        state = parts.read_state(directory)
        if not state or not pid_alive(state.get("pid")):
            self.stdout.write("No cluster is running.")
            return
        os.kill(state["pid"], signal.SIGTERM)
        # The cluster removes its state file once everything it started has stopped.
        running = directory / "cluster.json"
        deadline = time.monotonic() + 60
        while running.exists() and pid_alive(state["pid"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        if running.exists() and pid_alive(state["pid"]):
            raise CommandError(f"The cluster (process {state['pid']}) did not stop in a minute.")
        self.stdout.write("Cluster stopped.")


def pid_alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
