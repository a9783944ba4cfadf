from django.urls import path

from . import views

app_name = "patient_groups"

urlpatterns = [
    path("patient-groups/", views.group_list, name="group-list"),
    path("patient-groups.json", views.group_list_json, name="group-list-json"),
    path("patient-groups.csv", views.group_list_csv, name="group-list-csv"),
    # Before the group pages, whose slugs these words could otherwise be taken for.
    path("patient-groups/add/", views.suggest_new_group, name="group-add"),
    path("patient-groups/thank-you/", views.suggestion_sent, name="suggestion-sent"),
    path("patient-groups/<slug:slug>/", views.group_detail, name="group-detail"),
    path("patient-groups/<slug:slug>/suggest/", views.suggest_correction, name="group-suggest"),
]
