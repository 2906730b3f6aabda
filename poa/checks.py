from django.conf import settings
from django.core.checks import Error, Tags, register
from django.urls import get_resolver

from poa.rules import evidence


@register(Tags.urls)
def admin_path_is_free(app_configs, **kwargs):
    """POA_ADMIN_PATH must name a folder of its own, not the home page nor one of POA's."""
    patterns = next(r.url_patterns for r in get_resolver().url_patterns if r.app_name == "poa")
    taken = {str(p.pattern).split("/", 1)[0] for p in patterns}
    taken |= {"cuenta", settings.STATIC_URL.strip("/")}
    first = settings.POA_ADMIN_PATH.split("/", 1)[0]
    if first and first not in taken:
        return []
    return [
        Error(
            f"POA_ADMIN_PATH «{settings.POA_ADMIN_PATH}» ocupa una dirección de POA.",
            hint="Use una carpeta propia, por ejemplo admin/ o gestion-interna/.",
            id="poa.E001",
        )
    ]


@register()
def evidence_types_are_known(app_configs, **kwargs):
    """POA_EVIDENCE_TYPES names kinds whose content POA knows how to judge."""
    unknown = [code for code in settings.POA_EVIDENCE_TYPES if code not in evidence.KINDS]
    if not unknown and settings.POA_EVIDENCE_TYPES:
        return []
    return [
        Error(
            "POA_EVIDENCE_TYPES tiene tipos que POA no reconoce: "
            f"{', '.join(unknown) or '(ninguno)'}.",
            hint=f"Use algunos de: {', '.join(evidence.KINDS)}.",
            id="poa.E002",
        )
    ]
