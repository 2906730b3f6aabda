"""Loads the reference year (2023) and creates the demo accounts. Safe to run again."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from poa.models import Ejercicio

DEMO_PASSWORD = "poa-demo-2023"


class Command(BaseCommand):
    help = "Carga los datos de referencia 2023 y crea los usuarios de demostración."

    @transaction.atomic
    def handle(self, *args, **options):
        if not Ejercicio.objects.filter(year=2023).exists():
            call_command("loaddata", "reference", verbosity=0)
            self.stdout.write("Datos de referencia 2023 cargados.")
        users = [self.ensure_admin()]
        self.stdout.write(f"Usuarios de demostración (contraseña: {DEMO_PASSWORD}):")
        for username, description in users:
            self.stdout.write(f"  {username:<16} {description}")

    def ensure_admin(self):
        user, _ = get_user_model().objects.get_or_create(username="admin")
        user.first_name, user.last_name = "Administrador", "del sistema"
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        return "admin", "administrador del sistema"
