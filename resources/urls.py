from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("openings/<int:pk>/", views.opening_detail, name="opening_detail"),
    path("openings/<int:pk>/request/", views.opening_request, name="opening_request"),
    path("bases/<int:pk>/", views.base_detail, name="base_detail"),
    path("my-referrals/", views.my_referrals, name="my_referrals"),
    path("match/<int:pk>/", views.match, name="match"),
    path("match/<int:pk>/refer/<int:opening_pk>/", views.refer, name="refer"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/export.<str:fmt>", views.referral_export, name="referral_export"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/step/", views.referral_step, name="referral_step"),
    path("referrals/<int:pk>/hours/", views.service_log_create, name="service_log_create"),
    path("hours/<int:pk>/decide/", views.service_log_decide, name="service_log_decide"),
    path("operator/", views.operator_home, name="operator_home"),
    path("operator/profile/", views.operator_profile, name="operator_profile"),
    path("operator/bases/new/", views.operator_base, name="operator_base_create"),
    path("operator/bases/<int:pk>/", views.operator_base, name="operator_base"),
    path("operator/bases/<int:pk>/verify/", views.operator_base_verify, name="operator_verify"),
    path(
        "operator/bases/<int:base_pk>/openings/new/",
        views.operator_opening,
        name="operator_opening_create",
    ),
    path("operator/openings/<int:pk>/", views.operator_opening, name="operator_opening"),
    path("hsds.json", views.hsds_export, name="hsds_export"),
    path("hsds/import/", views.hsds_import, name="hsds_import"),
]
