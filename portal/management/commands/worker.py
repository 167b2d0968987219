import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from portal import housekeeping

logger = logging.getLogger(__name__)
# Seconds between attempts while the database is unreachable.
DATABASE_RETRY_SECONDS = 2


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
            while True:
                try:
                    super().handle(*args, **options)
                    return
                except (OperationalError, InterfaceError) as error:
                    # The database went away (a restart, a network blip): the queue keeps its
                    # tasks, so wait and carry on rather than let the worker die with it. A task
                    # cut off midway stays marked running; transcodes keep their own heartbeat
                    # and housekeeping queues them again.
                    logger.warning("database unreachable, the worker waits: %s", error)
                    close_old_connections()
                    time.sleep(DATABASE_RETRY_SECONDS)
        finally:
            stop.set()
