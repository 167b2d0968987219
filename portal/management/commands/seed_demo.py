from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from courses import demo as courses_demo
from insights import demo as insights_demo
from live import demo as live_demo
from media import demo as media_demo
from portal import content_demo, demo
from resources import demo as resources_demo
from volunteers import demo as volunteers_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print a login for every role."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production (PORTAL_ENV=production).")
        demo.load()
        media_demo.load(stdout=self.stdout)
        courses_demo.load()
        resources_demo.load()
        volunteers_demo.load()
        live_demo.load()
        insights_demo.load()
        content_demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        call_command("demo_logins", stdout=self.stdout)
