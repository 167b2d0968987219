from django.core.management.base import BaseCommand

from portal.audit import prune, retention_days


class Command(BaseCommand):
    help = "Remove audit entries older than the retention period (never less than 180 days)."

    def handle(self, *args, **options):
        removed = prune()
        self.stdout.write(f"removed {removed} entries older than {retention_days()} days")
