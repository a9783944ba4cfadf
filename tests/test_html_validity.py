"""The Nu Html Checker finds no errors on the public pages (java + npm's vnu-jar)."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import TestCase, override_settings

from tests.quality import make_pages

VNU = (
    Path(__file__).resolve().parent.parent
    / "var"
    / "tools"
    / "node_modules"
    / "vnu-jar"
    / "build"
    / "dist"
    / "vnu.jar"
)


def checker():
    if shutil.which("java") and VNU.exists():
        return ["java", "-jar", str(VNU)]
    message = "the Nu Html Checker needs java and var/tools (run `make test`, or .ci/ensure-vnu)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + ": it must run in CI.", pytrace=False)
    pytest.skip(message)


@override_settings(ANALYTICS_STANDIN=True)  # so that the banner template is on the pages too
class HtmlValidityTests(TestCase):
    def test_public_pages_have_no_html_errors(self):
        command = checker()
        pages = make_pages()
        with tempfile.TemporaryDirectory() as folder:
            files = []
            for name, url in pages.items():
                response = self.client.get(url)
                path = Path(folder) / f"{name}.html"
                path.write_bytes(response.content)
                files.append(str(path))
            result = subprocess.run(
                [*command, "--format", "json", "--exit-zero-always", *files],
                capture_output=True,
                text=True,
                timeout=300,
            )
        messages = json.loads(result.stderr or result.stdout)["messages"]
        errors = [
            f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m['message']}"
            for m in messages
            if m.get("type") == "error"
        ]
        self.assertEqual(errors, [])
