"""
Which cached pages an edit makes stale: the tags (netinfo.core.page_cache) of what each changed
object is shown on. Connected to the save and delete signals of every content model (apps.py):
the one thing signals do here, because it must follow every change to public content, whether
made through the services, the admin, a command or an import.

The tags, and the pages that carry them:
- article-<pk>: the article's pages in every language (text, embed, reference downloads) and
  the glossary pages that list it;
- topic-<pk>: what shows the topic's name: its page and its articles' pages (breadcrumbs);
- articles-in-topic-<pk>: the topic's page, which lists its articles;
- articles: pages that list articles across the site: home, recent updates and their feed, the
  sitemap, search results, the glossary's A-Z;
- term-<pk>, glossary: a term's pages; every glossary page;
- group-<pk>, directory: a patient group's page; the directory's lists, regions and the
  sitemap;
- site-chrome: every page (cookie texts, and each release's templates and static files);
- content: pages that name nothing more precise.
"""

from cookie_consent.models import Cookie, CookieGroup

from netinfo.articles import models
from netinfo.core.page_cache import CONTENT, SITE_CHROME, invalidate
from patient_groups.models import PatientGroup, Region
from references.models import Reference

Article = models.Article


def article_tags(article):
    if article.revision_of_id and article.status != Article.Status.PUBLISHED:
        return set()  # a working copy: nothing public shows it until it is approved
    tags = {f"article-{article.pk}", f"articles-in-topic-{article.topic_id}", "articles"}
    # Articles that list this one as related show its title.
    showing = Article.objects.filter(related_articles=article).values_list("pk", flat=True)
    return tags | {f"article-{pk}" for pk in showing}


def tags_for(instance):
    """The tags of the pages that show `instance`."""
    if isinstance(instance, Article):
        return article_tags(instance)
    if isinstance(instance, models.Topic):
        return {f"topic-{instance.pk}", "articles"}
    if isinstance(instance, models.Contributor):
        written = instance.authored_articles.values_list("pk", flat=True)
        reviewed = instance.reviewed_articles.values_list("pk", flat=True)
        return {"articles"} | {f"article-{pk}" for pk in [*written, *reviewed]}
    if isinstance(instance, models.ChangeLogEntry):
        return {f"article-{instance.article_id}", "articles"}  # recent updates list it
    if isinstance(instance, models.SearchWord):
        return {"articles"}
    if hasattr(instance, "article_id"):  # figures, resources, citations, authorships
        return {f"article-{instance.article_id}"}
    if isinstance(instance, models.Term):
        return {f"term-{instance.pk}", "glossary"}
    if isinstance(instance, Reference):
        # Article pages keep their reference lists as rendered on save; the services render
        # the citing articles again (their own saves tag them). Definitions cite references.
        return {"glossary"}
    if isinstance(instance, PatientGroup):
        return {f"group-{instance.pk}", "directory"}
    if isinstance(instance, Region):
        # Each group's page names its region.
        groups = PatientGroup.objects.filter(region=instance).values_list("pk", flat=True)
        return {"directory"} | {f"group-{pk}" for pk in groups}
    if isinstance(instance, Cookie | CookieGroup):
        return {SITE_CHROME}
    return {CONTENT}


# What signals invalidation: every model whose rows appear on public pages.
CONTENT_MODELS = [
    models.Topic,
    models.Contributor,
    models.Article,
    models.Authorship,
    models.Figure,
    models.FigureSeries,
    models.ExternalResource,
    models.Citation,
    models.SearchWord,
    # Written after the article is saved when it is published or reviewed.
    models.ChangeLogEntry,
    # The glossary's pages; the articles that use a term are saved again with it.
    models.Term,
    Reference,
    Region,
    PatientGroup,
    CookieGroup,
    Cookie,
]


def changed(sender, instance, **kwargs):
    """post_save and post_delete of CONTENT_MODELS."""
    tags = tags_for(instance)
    if tags:
        # Everything that names nothing more precise goes with any edit.
        invalidate(tags | {CONTENT})


def related_changed(sender, instance, pk_set=None, action="", **kwargs):
    """m2m_changed of related articles and related terms: both ends show the other."""
    if not action.startswith("post_"):
        return
    model = type(instance)
    tags = tags_for(instance)
    for other in model.objects.filter(pk__in=pk_set or ()):
        tags |= tags_for(other)
    invalidate(tags | {CONTENT})


def release(**kwargs):
    """post_migrate: a release changes templates and static files that every page uses."""
    invalidate({SITE_CHROME})
