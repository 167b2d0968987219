from django.urls import path

from .consumers import BroadcastConsumer, ClassConsumer

websocket_urlpatterns = [
    path("ws/live/<uuid:key>/", ClassConsumer.as_asgi()),
    path("ws/live/<uuid:key>/broadcast/", BroadcastConsumer.as_asgi()),
]
