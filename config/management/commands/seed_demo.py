"""Load the demo data (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand

from config.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo data; safe to run any number of times."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo logins (password: {DEMO_PASSWORD}):"))
        for role, email in logins:
            self.stdout.write(f"  {role:<12} {email}")
