import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from portal import housekeeping


class Command(BaseCommand):
    help = "Run the periodic upkeep jobs (requeue stalled video jobs, ...) once or in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Repeat every interval.")

    def handle(self, *args, loop: bool, **options):
        if not loop:
            for name, result in housekeeping.run_once().items():
                self.stdout.write(f"{name}: {result}")
            return
        housekeeping.run_forever(settings.PORTAL_HOUSEKEEPING_INTERVAL, threading.Event())
