"""
The code's shape: the layers hold (import-linter), and nothing leans on Django's private parts,
which change without notice between releases (Django 6.1 changed get_related_populators()).
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.subprocesses import BASE_DIR

PACKAGES = ["netinfo", "references", "patient_groups"]

# Django's (and django-reversion's, django-redis's) internals, as code reaches for them. Each
# pattern names what the project once used or what does the same job.
PRIVATE = {
    "an ORM or compiler module": re.compile(
        r"from django\.db\.models\.(sql|query|query_utils|base|deletion)\b|"
        r"import django\.db\.models\.sql"
    ),
    "a cache backend's internals": re.compile(r"from django\.core\.cache\.backends\.redis"),
    "a query compiler": re.compile(r"\.get_compiler\(|\bSQLCompiler\b"),
    "a QuerySet's or Query's internals": re.compile(
        r"\._(iterable_class|prefetch_related_lookups|known_related_objects|result_cache|"
        r"fetch_all|clone|chain|hints|db)\b|\.query\.(low_mark|high_mark|default_cols|"
        r"select_related|annotation_select)\b"
    ),
    "a model iterable's internals": re.compile(
        r"\b(get_related_populators|klass_info|annotation_col_map|col_count|get_converters)\b"
    ),
    "a file field's internals": re.compile(r"""\._committed\b|["']_committed["']"""),
    "a revision's internals": re.compile(r"\b(version|other)\._model\b|\._local_field_dict\b"),
    "a private cache client method": re.compile(r"_get_connection_pool_index|\._class\b"),
}


def project_sources():
    for package in PACKAGES:
        yield from sorted((BASE_DIR / package).rglob("*.py"))


def test_no_private_django_api():
    found = []
    for path in project_sources():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for what, pattern in PRIVATE.items():
                if pattern.search(line):
                    found.append(f"{path.relative_to(BASE_DIR)}:{number}: {what}: {line.strip()}")
    assert found == []


def test_the_private_api_patterns_find_what_they_are_for():
    """The grep above would see the prepared queries this project removed."""
    removed = [
        "from django.db.models.query import get_related_populators",
        "queryset._iterable_class(queryset)",
        "compiler = query.get_compiler(using=db)",
        "if getattr(file, '_committed', False):",
        "own = field_changes(version._model, old, new)",
    ]
    for line in removed:
        assert any(pattern.search(line) for pattern in PRIVATE.values()), line


def lint_imports(root):
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layers_hold():
    result = lint_imports(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_way_import_breaks_the_contract():
    """The basics layer importing an app: import-linter must say so, naming both."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for package in PACKAGES:
            shutil.copytree(
                BASE_DIR / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
            )
        shutil.copy(BASE_DIR / "pyproject.toml", root / "pyproject.toml")
        text = root / "netinfo" / "core" / "text.py"
        text.write_text(text.read_text() + "\nfrom netinfo.articles.models import Article\n")
        result = lint_imports(root)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "netinfo.core.text -> netinfo.articles.models" in result.stdout
