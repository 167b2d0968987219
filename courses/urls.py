from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("hours/", views.my_hours, name="my_hours"),
    path("lessons/<int:pk>/quiz/", views.lesson_quiz, name="lesson_quiz"),
    path("lessons/<int:pk>/reflection/", views.lesson_reflection, name="lesson_reflection"),
    path("lessons/<int:pk>/read/", views.lesson_read, name="lesson_read"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("compliance/", views.compliance_list, name="compliance"),
    path("compliance/export.<str:fmt>", views.compliance_export, name="compliance_export"),
    path("compliance/<int:pk>/", views.compliance_detail, name="compliance_detail"),
    path("compliance/<int:pk>/service/", views.service_record, name="service_record"),
    path("credits/<int:pk>/reverse/", views.credit_reverse, name="credit_reverse"),
    path("reflections/<int:pk>/review/", views.reflection_review, name="reflection_review"),
    path("requirements/", views.requirements, name="requirements"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/projector/", views.group_projector, name="group_projector"),
    path("groups/<int:pk>/code.json", views.group_qr, name="group_qr"),
    path("groups/<int:pk>/close/", views.group_close, name="group_close"),
    path("check-in/", views.check_in, name="check_in"),
]
