"""The accounts of a municipality: planeación creates them (one by one from its page, or from
the «Cuentas» sheet of the year's workbook), each new account is invited by e-mail to choose
its password through a one-time link (Django's password-reset tokens, valid
PASSWORD_RESET_TIMEOUT), and planeación deactivates every account of a unit at once, ending
their sessions. No password ever travels in an e-mail."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from poa.jobs import task
from poa.models import Persona, UnidadEjecutora
from poa.selectors import access
from poa.selectors.accounts import unit_accounts
from poa.services import audit

CAPTURISTA, RESPONSABLE, PLANEACION, CONTRALORIA = (
    "capturista",
    "responsable",
    "planeación",
    "contraloría",
)
ROLES = (CAPTURISTA, RESPONSABLE, PLANEACION, CONTRALORIA)
ROLE_GROUPS = {PLANEACION: access.PLANEACION_GROUP, CONTRALORIA: access.CONTRALORIA_GROUP}
EMAIL_PRIORITY = 10


class AccountError(Exception):
    """What is wrong with an account as typed: {field: Spanish message}."""

    def __init__(self, errors):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass
class AccountSpec:
    """An account as planeación writes it: on its page or in a row of «Cuentas»."""

    username: str
    nombre: str
    correo: str
    rol: str
    unidades: list = field(default_factory=list)  # UnidadEjecutora, for a capturista
    persona: Persona | None = None  # for a responsable


def _require_planeacion(user):
    if not access.is_planeacion(user):
        raise PermissionDenied("Solo planeación administra las cuentas.")


def spec_errors(spec: AccountSpec) -> dict:
    """{field: Spanish message} of what is wrong with the account as typed."""
    errors = {}
    try:
        get_user_model().username_validator(spec.username)
    except ValidationError:
        errors["usuario"] = "Use solo letras, números y . @ + - _ (sin espacios)."
    if not spec.username:
        errors["usuario"] = "Escriba el usuario."
    try:
        validate_email(spec.correo)
    except ValidationError:
        errors["correo"] = "Escriba un correo electrónico válido, p. ej. nombre@mexicali.gob.mx."
    if spec.rol not in ROLES:
        errors["rol"] = "Escriba capturista, responsable, planeación o contraloría."
    elif spec.rol == CAPTURISTA and not spec.unidades:
        errors["unidades"] = "Escriba las unidades que captura, p. ej. 59-102."
    elif spec.rol == RESPONSABLE and spec.persona is None:
        errors["nombre"] = "Un responsable se liga a su persona: escriba el nombre como firma."
    return errors


def account_save(*, spec: AccountSpec, user):
    """Creates the account or brings an existing one (same usuario) to the spec; returns
    (account, "created" | "updated" | "unchanged"). A new account is invited once this
    commits. AccountError when the spec is wrong; PermissionDenied for anyone but planeación."""
    _require_planeacion(user)
    errors = spec_errors(spec)
    if errors:
        raise AccountError(errors)
    with transaction.atomic():
        account = get_user_model().objects.filter(username=spec.username).first()
        if account is None:
            return _create(spec, user), "created"
        changed = _apply(account, spec)
        if changed:
            _audit(user, f"Actualizó la cuenta «{account.username}» ({spec.rol}).")
        return account, "updated" if changed else "unchanged"


def _create(spec, user):
    account = get_user_model()(username=spec.username)
    account.set_unusable_password()
    _apply(account, spec)
    _audit(user, f"Creó la cuenta «{account.username}» ({spec.rol}) y la invitó por correo.")
    transaction.on_commit(lambda: invitation_email.enqueue(account.pk))
    return account


def _apply(account, spec) -> bool:
    """Brings the account to the spec; True when something changed."""
    changed = account.pk is None
    # An empty name keeps the one the account has; a head's is their persona's, as they sign,
    # and names the account only when it is created.
    renamed = spec.nombre and spec.nombre != account.get_full_name()
    if renamed and (changed or spec.rol != RESPONSABLE):
        account.first_name, account.last_name = spec.nombre[:150], ""
        changed = True
    if account.email != spec.correo:
        account.email = spec.correo
        changed = True
    if changed:
        account.save()
    return _apply_role(account, spec) or changed


def _apply_role(account, spec) -> bool:
    changed = False
    group_name = ROLE_GROUPS.get(spec.rol)
    if group_name and not account.groups.filter(name=group_name).exists():
        account.groups.add(Group.objects.get_or_create(name=group_name)[0])
        changed = True
    captured = set(account.unidades_captura.values_list("pk", flat=True))
    missing = [ue for ue in spec.unidades if ue.pk not in captured]
    if missing:
        account.unidades_captura.add(*missing)
        changed = True
    persona = spec.persona
    if persona is not None and persona.usuario_id != account.pk:
        persona.usuario = account
        persona.save(update_fields=["usuario"])
        changed = True
    return changed


def _audit(user, description, unidad_ejecutora=None):
    audit.audit_record(
        kind=audit.Kind.ACCOUNT,
        user=user,
        description=description,
        unidad_ejecutora=unidad_ejecutora,
    )


# The invitation ---------------------------------------------------------------------------


def invitation_link(account) -> str:
    """The one-time address where the account chooses its password: a password-reset token,
    which stops working once a password is set or after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    path = reverse("password_reset_confirm", args=[uid, token])
    return settings.POA_SITE_URL.rstrip("/") + path


def invitation_message(account) -> EmailMultiAlternatives:
    days = settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)
    context = {"account": account, "link": invitation_link(account), "days": days}
    subject = "POA · Su cuenta del Programa Operativo Anual"
    body = render_to_string("accounts/invitation_email.txt", context)
    message = EmailMultiAlternatives(subject, body, to=[account.email])
    html = render_to_string("accounts/invitation_email.html", context)
    message.attach_alternative(html, "text/html")
    return message


@task(priority=EMAIL_PRIORITY)
def invitation_email(account_pk):
    """Sends a new account its invitation (queued when the account is created)."""
    account = get_user_model().objects.filter(pk=account_pk, is_active=True).first()
    if account and account.email:
        invitation_message(account).send()


# Deactivating a unit ----------------------------------------------------------------------


def unit_deactivate(*, ue: UnidadEjecutora, user) -> list[str]:
    """Deactivates every active account of the unit and ends their sessions; returns their
    usernames."""
    _require_planeacion(user)
    with transaction.atomic():
        accounts = list(unit_accounts(ue).select_for_update())
        ids = {str(account.pk) for account in accounts}
        get_user_model().objects.filter(pk__in=[a.pk for a in accounts]).update(is_active=False)
        _end_sessions(ids)
        names = [account.username for account in accounts]
        _audit(user, f"Desactivó las cuentas de la unidad: {', '.join(names) or 'ninguna'}.", ue)
    return names


def _end_sessions(user_ids):
    """Deletes the live sessions of these accounts (database sessions)."""
    live = Session.objects.filter(expire_date__gt=timezone.now())
    ended = [s.pk for s in live.iterator() if s.get_decoded().get("_auth_user_id") in user_ids]
    Session.objects.filter(pk__in=ended).delete()
