"""Run the customs simulator (a stand-in for the customs gateway) on loopback."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from customs.simulator import Simulator, serve


class Command(BaseCommand):
    help = "Customs simulator: receives certificate messages, answers receipts, posts write-offs."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument(
            "--portal",
            default=f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/customs/inbound/",
            help="the portal's inbound endpoint",
        )
        parser.add_argument(
            "--db", default=str(Path(settings.BASE_DIR) / "var" / "customs-simulator.sqlite3")
        )
        parser.add_argument("--delay", type=float, default=0.5, help="seconds before a receipt")

    def handle(self, *args, host, port, portal, db, delay, **options):
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        simulator = Simulator(
            db_path=db, portal_url=portal, secret=settings.CUSTOMS_SECRET, delay=delay
        )
        self.stdout.write(f"customs simulator on http://{host}:{port}/ -> {portal}")
        serve(host=host, port=port, simulator=simulator)
