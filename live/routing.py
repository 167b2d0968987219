from django.urls import path

from .consumers import ClassConsumer

websocket_urlpatterns = [
    path("ws/live/<uuid:key>/", ClassConsumer.as_asgi()),
]
