"""Running Django in a separate process, for what one process cannot show (settings at start-up,
a database that refuses connections, collectstatic's production storage)."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
REFUSED_DATABASE = "postgres://nobody:nothing@127.0.0.1:1/nowhere"  # nothing listens on port 1


def run_django(args, *, keep_django_env=True, timeout=120, **env_changes):
    """Run `python args...` in the project with the test environment plus `env_changes`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST") and (keep_django_env or not key.startswith("DJANGO_"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "netinfo.settings"
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_script(script, **env_changes):
    """
    Run Python code with Django set up, in a separate process, with the production static
    files (collected once per test run), so that its pages render as they do when deployed.
    """
    env_changes.setdefault("DJANGO_STATIC_ROOT", collected_static())
    return run_django(["-c", "import django; django.setup()\n" + script], **env_changes)


COLLECTED = {}


def collected_static():
    """A folder with the collected, hashed static files (manage.py collectstatic), made once."""
    if "root" not in COLLECTED:
        root = tempfile.mkdtemp(prefix="netinfo-static-")
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        result = run_django(
            ["manage.py", "collectstatic", "--noinput", "-v0"], DJANGO_STATIC_ROOT=root
        )
        if result.returncode != 0:
            raise RuntimeError(f"collectstatic failed: {result.stderr[-2000:]}")
        COLLECTED["root"] = root
    return COLLECTED["root"]
