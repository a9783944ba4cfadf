from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("cookies/", views.cookie_settings, name="settings"),
]
