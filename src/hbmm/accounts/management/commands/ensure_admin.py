import secrets

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from hbmm.accounts.models import User
from hbmm.accounts.services import user_scope_set
from hbmm.places.models import AdminArea


class Command(BaseCommand):
    help = "Create an administrator with a random password, printed once, if none exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An administrator exists already; nothing to do.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password)
        admin_group = Group.objects.filter(name="admin").first()
        if admin_group:
            user.groups.add(admin_group)
        country = AdminArea.objects.filter(level=AdminArea.Level.COUNTRY, pcode="MLI").first()
        if country:
            user_scope_set(user=user, areas=[country])
        self.stdout.write(
            self.style.WARNING(
                f"\n  Administrator created: username '{username}', password '{password}'\n"
                "  This password is shown only once: write it down or change it after logging in.\n"
            )
        )
