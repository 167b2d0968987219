"""ASGI entry point: HTTP through Django, websockets through Channels routing."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from portal.middleware import SocketSessionPolicy  # noqa: E402
from portal.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(SocketSessionPolicy(URLRouter(websocket_urlpatterns)))
        ),
    }
)

# The garbage collector, tuned for processes that hold thousands of sockets. The loaded
# application (modules, settings, URL and template caches) is moved out of the collector's
# reach, and the youngest generation is collected every 20,000 allocations instead of 700.
# With the defaults, frames in flight to thousands of sockets were promoted to the oldest
# generation at every young collection, and its full scans paused a process for 100-500 ms in
# the middle of a broadcast (bench/fanout.py, docs/live.md).
gc.freeze()
gc.set_threshold(20_000, 20, 20)
