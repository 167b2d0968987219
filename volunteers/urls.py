from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("profile/", views.profile, name="profile"),
    path("mentors/", views.mentor_list, name="mentor_list"),
    path("mentors/<int:pk>/screening/", views.screening, name="screening"),
    path("people/<int:pk>/", views.person_pairings, name="person_pairings"),
    path("people/<int:pk>/propose/", views.propose, name="propose"),
    path("people/<int:pk>/timeline/", views.person_timeline, name="person_timeline"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path(
        "pairings/<int:pk>/<slug:step>/",
        views.pairing_step,
        name="pairing_step",
    ),
]
