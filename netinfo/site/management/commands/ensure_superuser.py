import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create an 'admin' superuser with a random password, printed once, unless a superuser "
        "already exists."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superuser already exists; no account created.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", email="", password=password)
        line = "=" * 64
        self.stdout.write(
            self.style.SUCCESS(
                f"{line}\nAdmin account created. Log in at /admin/ with\n"
                f"  username: admin\n  password: {password}\n"
                f"This password is shown only once: note it now.\n{line}"
            )
        )
