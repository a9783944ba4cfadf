from django.urls import path

from netinfo.core.page_cache import public_page

from . import updates, views

app_name = "netinfo"

urlpatterns = [
    path("", public_page(views.HomeView.as_view(), tags=["articles"]), name="home"),
    path("about/", public_page(views.AboutView.as_view(), tags=[]), name="about"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path(
        "articles/<slug:slug>/references.<str:format>",
        views.article_references,
        name="article-references",
    ),
    path("articles/<slug:slug>/feedback/", views.article_feedback, name="article-feedback"),
    path(
        "articles/<slug:slug>/feedback/more/",
        views.article_feedback_details,
        name="article-feedback-details",
    ),
    path("embed/articles/<slug:slug>/", views.article_embed, name="article-embed"),
    path("preview/articles/<int:pk>/", views.article_preview, name="article-preview"),
    path("glossary/", views.glossary, name="glossary"),
    path("glossary/<slug:slug>/", views.term_detail, name="term-detail"),
    path("updates/", updates.updates, name="updates"),
    path("updates/feed/", updates.updates_feed, name="updates-feed"),
    path("review/<str:token>/", views.review_preview, name="review-preview"),
]
