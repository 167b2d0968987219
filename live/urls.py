from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("new/", views.schedule, name="schedule"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("<uuid:key>/", views.class_detail, name="class_detail"),
    path("<uuid:key>/end/", views.end, name="end"),
    path("<uuid:key>/attendance/", views.attendance, name="attendance"),
    path("<uuid:key>/attendance.<str:fmt>", views.attendance, name="attendance_export"),
]
