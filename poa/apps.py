from django.apps import AppConfig, apps

# The admin index lists the apps POA installs from others under their own English names;
# these are the Spanish ones (app label: (app name, {model: (singular, plural)})).
SPANISH_NAMES = {
    "axes": (
        "Bloqueos de inicio de sesión",
        {
            "accessattempt": ("intento de acceso fallido", "intentos de acceso fallidos"),
            "accessfailurelog": ("acceso fallido", "accesos fallidos"),
            "accessattemptexpiration": ("vencimiento de bloqueo", "vencimientos de bloqueos"),
            "accesslog": ("inicio de sesión", "inicios de sesión"),
        },
    ),
    "django_tasks_database": (
        "Tareas en segundo plano",
        {"dbtaskresult": ("resultado de tarea", "resultados de tareas")},
    ),
}


def name_installed_apps_in_spanish():
    for label, (app_name, models) in SPANISH_NAMES.items():
        if label not in apps.app_configs:
            continue
        config = apps.get_app_config(label)
        config.verbose_name = app_name
        for model_name, (singular, plural) in models.items():
            meta = config.get_model(model_name)._meta
            meta.verbose_name, meta.verbose_name_plural = singular, plural


class PoaConfig(AppConfig):
    name = "poa"
    verbose_name = "Programa Operativo Anual"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registered on import: the system checks, and the log lines of failed logins.
        from poa import checks  # noqa: F401
        from poa.web import security  # noqa: F401

        name_installed_apps_in_spanish()
