"""
The articles app in the admin. Importing the modules registers their ModelAdmins; versioning
comes first, so that django-reversion follows what an article owns before VersionAdmin would
register it on its own terms.
"""

from . import (  # noqa: F401 (registers the ModelAdmins)
    articles,
    feedback,
    glossary,
    people,
    references,
    versioning,
)
