from django.urls import path

from . import views

app_name = "netinfo"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("cookies/", views.CookieSettingsView.as_view(), name="cookie-settings"),
]
