from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("opportunities/", views.opportunity_list, name="opportunities"),
    path("opportunities/<str:key>/act/", views.opportunity_act, name="opportunity_act"),
    path("opportunities/<str:key>/dismiss/", views.opportunity_dismiss, name="opportunity_dismiss"),
]
