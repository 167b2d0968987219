import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_application = get_wsgi_application()

# The players' coverage reports take a lean way in (courses/ingest.py); all else is Django.
from courses.ingest import ProgressIngestion  # noqa: E402

application = ProgressIngestion(django_application)

# As in portal/asgi.py: the loaded application is kept out of the collector's scans, which
# otherwise pause a busy worker now and then for a full collection.
gc.freeze()
gc.set_threshold(20_000, 20, 20)
