from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="article-list"),
    path("articles/<slug:slug>/", views.ArticleDetail.as_view(), name="article-detail"),
    path("topics/", views.TopicList.as_view(), name="topic-list"),
    path("glossary/", views.TermList.as_view(), name="term-list"),
    path("patient-groups/", views.PatientGroupList.as_view(), name="patient-group-list"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
