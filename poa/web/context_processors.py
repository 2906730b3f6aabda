from poa.selectors import access


def roles(request):
    """Lets the navigation show planeación's pages to planeación only."""
    user = getattr(request, "user", None)
    return {
        "is_planeacion": bool(user and access.is_planeacion(user)),
        "can_audit": bool(user and access.can_audit(user)),
    }
