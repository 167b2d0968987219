from django.urls import path

from .views import assistance, hours, mentoring

app_name = "volunteers"

urlpatterns = [
    path("", mentoring.workspace, name="workspace"),
    path("profile/", mentoring.profile, name="profile"),
    path("mentors/", mentoring.mentor_list, name="mentor_list"),
    path("mentors/<int:pk>/screening/", mentoring.screening, name="screening"),
    path("people/<int:pk>/", mentoring.person_pairings, name="person_pairings"),
    path("people/<int:pk>/propose/", mentoring.propose, name="propose"),
    path("people/<int:pk>/timeline/", mentoring.person_timeline, name="person_timeline"),
    path("people/<int:pk>/assistance/new/", assistance.assistance_create, name="assistance_create"),
    path("pairings/<int:pk>/", mentoring.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/sessions/new/", mentoring.session_create, name="session_create"),
    path("pairings/<int:pk>/<slug:step>/", mentoring.pairing_step, name="pairing_step"),
    path("assistance/<int:pk>/", assistance.assistance_detail, name="assistance_detail"),
    path("attachments/<int:pk>/", assistance.attachment, name="attachment"),
    path("follow-ups/<slug:kind>/<int:pk>/done/", assistance.follow_up_done, name="follow_up_done"),
    path("caseload/", assistance.caseload, name="caseload"),
    path("hours/", hours.review, name="hours_review"),
    path("hours/export/", hours.export, name="hours_export"),
    path("hours/<slug:kind>/<int:pk>/", hours.decide, name="hours_decide"),
    path(
        "hours/volunteers/<int:pk>/certificate/",
        hours.volunteer_certificate,
        name="volunteer_certificate",
    ),
    path("my-hours/", hours.mine, name="my_hours"),
    path("my-hours/certificate/", hours.my_certificate, name="my_certificate"),
]
