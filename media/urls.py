from django.urls import path

from . import views

app_name = "media"
urlpatterns = [
    path("<int:pk>/", views.watch, name="watch"),
    path("<uuid:key>/captions/<int:pk>.vtt", views.caption, name="caption"),
    path("<uuid:key>/<slug:rev>/<str:name>", views.rendition, name="rendition"),
]
