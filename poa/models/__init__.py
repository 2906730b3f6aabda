"""The database tables, named after the domain's nouns; their choices come from
poa.rules. Imports rules only."""

from .audit import AuditEvent
from .catalog import (
    Ejercicio,
    Finalidad,
    Funcion,
    LineaAccion,
    Persona,
    Programa,
    Ramo,
    Subfuncion,
    UnidadEjecutora,
    UnidadMedida,
)
from .documents import SheetExport
from .evidence import EVIDENCE_STORAGE, Evidencia
from .plan import Meta, QuarterlyProgress
from .programming import (
    QUARTER_FIELDS,
    MetaVersion,
    Modificacion,
    ModificacionEvent,
    Programacion,
    ProgramacionEvent,
)
from .review import CaptureException, CapturePeriod, ReminderSent, Report, ReportEvent
from .seals import Seal

__all__ = [
    "AuditEvent",
    "EVIDENCE_STORAGE",
    "QUARTER_FIELDS",
    "CaptureException",
    "CapturePeriod",
    "ReminderSent",
    "SheetExport",
    "Report",
    "ReportEvent",
    "Seal",
    "Ejercicio",
    "Evidencia",
    "Finalidad",
    "Funcion",
    "LineaAccion",
    "Meta",
    "MetaVersion",
    "Modificacion",
    "ModificacionEvent",
    "Persona",
    "Programa",
    "Programacion",
    "ProgramacionEvent",
    "QuarterlyProgress",
    "Ramo",
    "Subfuncion",
    "UnidadEjecutora",
    "UnidadMedida",
]
