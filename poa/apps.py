from django.apps import AppConfig


class PoaConfig(AppConfig):
    name = "poa"
    verbose_name = "Programa Operativo Anual"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registered on import: the system checks, and the log lines of failed logins.
        from poa import checks, security  # noqa: F401
