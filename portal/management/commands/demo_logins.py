from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from portal import demo
from portal.access import roles_of


class Command(BaseCommand):
    help = "Print the demo logins with their password and current two-factor code."

    def handle(self, *args, **options):
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=demo.DEMO_USERNAMES)}
        self.stdout.write(f"\n演示账号 / Demo logins (password 密码: {demo.DEMO_PASSWORD})")
        self.stdout.write("  Staff sign in with a 6-digit code: run `make demo-logins` again for a")
        self.stdout.write("  fresh one, or add the secret to an authenticator app.\n")
        self.stdout.write(f"  {'username':<20} {'roles':<28} {'code':<7} secret")
        for username in demo.DEMO_USERNAMES:
            user = users.get(username)
            if user is None:
                continue
            roles = ",".join(sorted(roles_of(user))) or "(pending volunteer)"
            if user.is_superuser:
                roles = "superuser"
            totp = demo.current_totp(user)
            code, secret = (totp[1], totp[0]) if totp else ("-", "")
            self.stdout.write(f"  {username:<20} {roles:<28} {code:<7} {secret}")
        self.stdout.write("")
