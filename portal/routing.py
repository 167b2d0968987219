"""Websocket routes of every live app, collected in one list for the ASGI router."""

from live.routing import websocket_urlpatterns as live

websocket_urlpatterns: list = [*live]
