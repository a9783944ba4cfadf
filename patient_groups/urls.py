from django.urls import path

from . import views

app_name = "patient_groups"

urlpatterns = [
    path("patient-groups/", views.group_list, name="group-list"),
    path("patient-groups.json", views.group_list_json, name="group-list-json"),
    path("patient-groups.csv", views.group_list_csv, name="group-list-csv"),
    path("patient-groups/<slug:slug>/", views.group_detail, name="group-detail"),
]
