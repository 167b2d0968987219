import threading

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from portal import housekeeping


class Command(DbWorkerCommand):
    help = "Run background tasks from the database queue, with periodic housekeeping beside them."

    def handle(self, *args, **options):
        stop = threading.Event()
        thread = threading.Thread(
            target=housekeeping.run_forever,
            args=(settings.PORTAL_HOUSEKEEPING_INTERVAL, stop),
            name="housekeeping",
            daemon=True,
        )
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
