"""Reminds every unit whose capture is still in BORRADOR two days before its deadline and,
once it has passed, every day until the report is sent. Meant for a daily cron job."""

from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from poa.services import notifications


class Command(BaseCommand):
    help = "Envía los recordatorios de captura (2 días antes del cierre y captura vencida)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Fecha para la que se calculan los recordatorios (AAAA-MM-DD); hoy si se omite.",
        )

    def handle(self, *args, **options):
        now = self.now(options["date"])
        sent = notifications.send_reminders(now)
        self.stdout.write(f"Recordatorios enviados: {sent}.")

    def now(self, value):
        if not value:
            return timezone.now()
        try:
            day = date.fromisoformat(value)
        except ValueError as error:
            raise CommandError("Use una fecha AAAA-MM-DD, por ejemplo 2023-07-13.") from error
        # A daily job runs in the morning: 08:00 local time of that day.
        return timezone.make_aware(datetime.combine(day, time(8, 0)))
