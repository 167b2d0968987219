import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from portal import housekeeping, tasks

logger = logging.getLogger(__name__)
# Seconds between attempts while the database is unreachable.
DATABASE_RETRY_SECONDS = 2
OUTAGE_ERRORS = (OperationalError, InterfaceError)


class Command(DbWorkerCommand):
    help = "Run background tasks from the database queue, with periodic housekeeping beside them."

    def handle(self, *args, **options):
        # The task this process is running: one that a database outage cuts off goes back in
        # the queue once the database answers again (every task is safe to run twice).
        self.current_task_id: str | None = None
        task_started.connect(self._started)
        task_finished.connect(self._finished)
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
                    self._put_back()
                    super().handle(*args, **options)
                    return
                except OUTAGE_ERRORS as error:
                    # The database went away (a restart, a network blip): the queue keeps its
                    # tasks, so wait and carry on rather than let the worker die with it.
                    logger.warning("database unreachable, the worker waits: %s", error)
                    close_old_connections()
                    time.sleep(DATABASE_RETRY_SECONDS)
        finally:
            stop.set()
            task_started.disconnect(self._started)
            task_finished.disconnect(self._finished)

    def _started(self, sender, task_result, **kwargs) -> None:
        self.current_task_id = task_result.id

    def _finished(self, sender, task_result, **kwargs) -> None:
        failed = task_result.status == TaskResultStatus.FAILED and task_result.errors
        if failed and issubclass(task_result.errors[-1].exception_class, OUTAGE_ERRORS):
            self._put_back()  # the database took the failure, so it is back already
        else:
            self.current_task_id = None

    def _put_back(self) -> None:
        if self.current_task_id is not None:
            tasks.requeue(self.current_task_id)
            self.current_task_id = None
