"""Websocket routes of every live app, collected in one list for the ASGI router."""

websocket_urlpatterns: list = []
