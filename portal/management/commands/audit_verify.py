from django.core.management.base import BaseCommand, CommandError

from portal.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits non-zero if any entry was altered or removed."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at entry {report.broken_at}: {report.problem} "
                f"({report.checked} entries verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain verified: {report.checked} entries"))
