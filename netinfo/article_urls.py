from django.urls import path

from . import views

app_name = "netinfo"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path(
        "articles/<slug:slug>/references.<str:format>",
        views.article_references,
        name="article-references",
    ),
    path("preview/articles/<int:pk>/", views.article_preview, name="article-preview"),
    path("search/", views.search, name="search"),
]
