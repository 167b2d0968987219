from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("new/", views.schedule, name="schedule"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("<uuid:key>/", views.class_detail, name="class_detail"),
    path("<uuid:key>/on-air/", views.go_on_air, name="on_air"),
    path("<uuid:key>/end/", views.end, name="end"),
    path("<uuid:key>/hls/<uuid:run>/<str:name>", views.hls, name="hls"),
    path("<uuid:key>/attendance/", views.attendance, name="attendance"),
    path("<uuid:key>/attendance.<str:fmt>", views.attendance, name="attendance_export"),
]
