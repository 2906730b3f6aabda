"""The «Cuentas» sheet of a year's workbook: the staff's accounts, each created or brought up
to date by its usuario through poa.services.accounts (a new one is invited by e-mail once the
import commits; a dry run invites nobody)."""

import re

from poa.documents.yearbook import CUENTAS
from poa.models import Persona, UnidadEjecutora
from poa.rules.text import folded
from poa.services import accounts
from poa.services.imports.cells import name, text

ROLES = {folded(rol): rol for rol in accounts.ROLES}
# Model of the account's error → the column it goes to.
COLUMNS = {key: key for key in ("usuario", "nombre", "correo", "rol", "unidades")}


def load_cuentas(run):
    def describe(key):
        return f"El usuario «{key}»"

    for row in run.rows(CUENTAS, lambda row: text(row.values["usuario"]), describe):
        spec = _spec(run, row)
        if spec is None:
            continue
        try:
            _, outcome = accounts.account_save(spec=spec, user=run.user)
        except accounts.AccountError as error:
            for key, message in error.errors.items():
                run.error(CUENTAS, row, COLUMNS[key], message)
            continue
        counts = run.counts[CUENTAS.name]
        setattr(counts, outcome, getattr(counts, outcome) + 1)


def _spec(run, row):
    """The account the row asks for; None when a unit it names does not exist (reported)."""
    rol = ROLES.get(folded(text(row.values["rol"])), text(row.values["rol"]))
    nombre = name(row.values["nombre"])
    units = _units(run, row)
    if units is None:
        return None
    persona = None
    if rol == accounts.RESPONSABLE and nombre:
        persona = Persona.objects.filter(nombre=nombre).first()
    return accounts.AccountSpec(
        username=text(row.values["usuario"]),
        nombre=nombre,
        correo=text(row.values["correo"]),
        rol=rol,
        unidades=units,
        persona=persona,
    )


def _units(run, row):
    found = []
    for address in filter(None, re.split(r"[,;\s]+", text(row.values["unidades"]))):
        ramo, _, clave = address.rpartition("-")
        units = UnidadEjecutora.objects.filter(ramo__ejercicio=run.ejercicio, clave=clave)
        if ramo:
            units = units.filter(ramo__clave=ramo)
        unit = units.first() if units.count() == 1 else None
        if unit is None:
            message = f"No existe la unidad {address} en el ejercicio; escríbala como ramo-unidad."
            run.error(CUENTAS, row, "unidades", message)
            return None
        found.append(unit)
    return found
