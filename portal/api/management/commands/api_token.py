"""Create an API token for a user from the shell and print its plaintext (only that, on
stdout, so ``TOKEN=$(manage.py api_token --user demo-owner --name ci)`` works).  Several
``--user`` give one token each, one a line, in the order given (one Django boot).

For operators and CI (``scripts/schemathesis.sh`` takes the demo accounts' tokens this
way).  Whoever runs manage.py already holds the database, so the web page's second-factor
step for back-office users does not apply here.  ``--replace`` revokes the user's other
active tokens of the same name first, so repeated runs do not pile tokens up.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from wagtail.models import APIToken

from portal.api.views import MAX_NAME


class Command(BaseCommand):
    help = "Create an API token for a user and print its plaintext (shown once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--user",
            action="append",
            required=True,
            help="The username the token acts as (repeat for several users).",
        )
        parser.add_argument("--name", default="cli", help="The token's name (default: cli).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Revoke the user's other active tokens of this name first.",
        )

    def handle(self, *args, user, name, replace=False, **options):
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise CommandError(f"Name the token (1 to {MAX_NAME} characters).")
        users = get_user_model().objects.filter(is_active=True)
        found = {u.username: u for u in users.filter(username__in=user)}
        missing = [u for u in user if u not in found]
        if missing:
            raise CommandError(f"No active user {', '.join(missing)}.")
        for username in user:
            if replace:
                APIToken.objects.filter(
                    user=found[username], name=name, revoked_at__isnull=True
                ).update(revoked_at=timezone.now())
            _token, plaintext = APIToken.create_token(user=found[username], name=name)
            self.stdout.write(plaintext)
