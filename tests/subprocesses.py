"""Running Django in a separate process, for what one process cannot show (settings at start-up,
a database that refuses connections, collectstatic's production storage)."""

import os
import subprocess
import sys
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
    """Run Python code with Django set up, in a separate process."""
    return run_django(["-c", "import django; django.setup()\n" + script], **env_changes)
