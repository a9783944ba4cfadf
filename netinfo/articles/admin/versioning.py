"""What django-reversion keeps of an article: the article and what is edited with it."""

import reversion

from ..models import Article, Authorship, ExternalResource, Figure, FigureSeries

# Versions follow what is edited with an article, but not its change log or preview links,
# so that restoring an old version never deletes either.
for model in (Figure, FigureSeries, ExternalResource, Authorship):
    if not reversion.is_registered(model):
        reversion.register(model)
if not reversion.is_registered(Article):
    reversion.register(Article, follow=["figures", "figure_series", "resources", "authorships"])
