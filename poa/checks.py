from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if settings.DEBUG or getattr(settings, "SECRET_KEY_FROM_ENV", True):
        return []
    return [
        Warning(
            "SECRET_KEY no está definido en el entorno: cada proceso usa una clave aleatoria y "
            "las sesiones se pierden al reiniciar.",
            hint="Defina SECRET_KEY en el entorno del servidor.",
            id="poa.W001",
        )
    ]
