from django.apps import AppConfig


class PoaConfig(AppConfig):
    name = "poa"
    verbose_name = "Programa Operativo Anual"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from poa import checks  # noqa: F401  (registers the system checks)
