"""
Recent updates: the latest lines of every live article's "What changed" list, newest first, as
a page and as an Atom feed.

Patients and carers come back to the pages they rely on; patient groups pass news on to their
members. Both want to know what changed since they last looked (a new treatment, a review)
without opening every article, as cancer.gov lists the changes to its PDQ summaries.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import get_language, gettext as _

from netinfo.core.languages import translated_value
from netinfo.core.page_cache import public_page

from .models import LANGUAGE_CODES, ChangeLogEntry

UPDATES_SHOWN = 30

ARTICLE_FIELDS = [
    f"article__{field}_{code}" for field in ("title", "slug") for code in LANGUAGE_CODES
]


class Update:
    """One change log entry as visitors read it, in their language where it is translated."""

    def __init__(self, entry, language):
        self.date = entry.created
        self.kind = entry.get_kind_display()
        self.summary, self.summary_language = translated_value(entry, "summary", language)
        article = entry.article
        self.title, self.title_language = translated_value(article, "title", language)
        # The entry's own line in the article's "What changed" list.
        self.url = f"{article.get_absolute_url()}#change-{entry.pk}"


def recent_updates():
    """The latest UPDATES_SHOWN updates of live articles, in one query."""
    entries = (
        ChangeLogEntry.objects.of_live_articles()
        .public()
        .select_related("article")
        .only("created", "kind", *(f"summary_{code}" for code in LANGUAGE_CODES), *ARTICLE_FIELDS)
    )
    language = get_language()
    return [Update(entry, language) for entry in entries[:UPDATES_SHOWN]]


@public_page(tags=["articles"])
def updates(request):
    return render(request, "netinfo/updates.html", {"updates": recent_updates()})


class UpdatesFeed(Feed):
    """
    The same list for feed readers, in the language of its address (/en/ or /de/): Feed takes
    the active language when its `language` is not set.
    """

    feed_type = Atom1Feed

    def title(self):
        return _("%(site)s: recent updates") % {"site": settings.SITE_NAME}

    def subtitle(self):
        return _("What changed in the articles, newest first.")

    def link(self):
        return reverse("netinfo:updates")

    def feed_url(self):
        return reverse("netinfo:updates-feed")

    def items(self):
        return recent_updates()

    # Escaped, as Django's default item_title() does: feed readers show titles and summaries
    # as HTML.
    def item_title(self, update):
        return escape(f"{update.title}: {update.kind}")

    def item_description(self, update):
        return escape(update.summary)

    def item_link(self, update):
        return update.url

    def item_pubdate(self, update):
        return update.date


updates_feed = public_page(UpdatesFeed(), tags=["articles"])
