"""The rules of one captured row (what was achieved and its observation), the same for the
grid, its save, the send and an import, and the refusals they raise."""

from decimal import Decimal

from django.conf import settings

from poa.rules import figures
from poa.rules.states import WorkflowError

MAX_OBSERVACIONES = 1000


# The grid shows these live too: capture/grid.html hands them to static/poa/js/capture.js.
CAPTURE_MESSAGES = {
    "observation": (
        "Explique por qué lo alcanzado ({alcanzado}) difiere de lo programado ({programado})."
    ),
    "observation_too_long": (
        "Las observaciones admiten como máximo {maximo} caracteres (lleva {lleva})."
    ),
}


class CaptureValidationError(WorkflowError):
    """Some rows cannot be saved or sent: errors = {meta_id: {field: Spanish message}}."""

    def __init__(self, errors, *, sending=False):
        self.errors = errors
        super().__init__(capture_refusal(sending))


def capture_refusal(sending) -> str:
    """What the grid says when its rows are refused: a failed send also saved nothing."""
    if sending:
        return "Revise las cifras marcadas: el informe no se envió y no se guardó ningún cambio."
    return "Revise las cifras marcadas; no se guardó ningún cambio."


class StaleVersionError(WorkflowError):
    """The report was saved by someone else after the form was opened."""

    def __init__(self, changes):
        self.changes = changes
        super().__init__(
            "Otra persona guardó este informe mientras usted capturaba; "
            "no se guardaron sus cambios."
        )


def validate_capture_row(*, meta, programado, alcanzado, observaciones, sending) -> dict:
    """Spanish messages by field ("alcanzado", "observaciones") for one row of the grid; the
    same rules for the form, the save and the send. `alcanzado` is what was typed (text) or
    a number; empty means not captured."""
    errors = {}
    observaciones = observaciones or ""
    try:
        alcanzado = read_figure(meta, alcanzado)
    except figures.FigureError as error:
        errors["alcanzado"], alcanzado = str(error), None
    if alcanzado is None and sending and "alcanzado" not in errors:
        errors["alcanzado"] = "Capture lo alcanzado en el trimestre."
    if len(observaciones) > MAX_OBSERVACIONES:
        errors["observaciones"] = CAPTURE_MESSAGES["observation_too_long"].format(
            maximo=f"{MAX_OBSERVACIONES:,}", lleva=f"{len(observaciones):,}"
        )
    elif "alcanzado" not in errors and not observaciones.strip():
        threshold = settings.POA_OBSERVATION_THRESHOLD
        if figures.needs_observation(programado, alcanzado, threshold):
            errors["observaciones"] = CAPTURE_MESSAGES["observation"].format(
                alcanzado=figures.format_figure(alcanzado),
                programado=figures.format_figure(programado),
            )
    return errors


def read_figure(meta, value) -> Decimal | None:
    """A figure of the meta as typed (text) or as a number, checked against its unit of
    measure; None when empty. Raises figures.FigureError with the Spanish message."""
    measure = meta.unidad_medida
    rules = {"whole_only": not measure.admite_decimales, "measure": measure.nombre}
    if value is None or isinstance(value, str):
        return figures.parse_figure(value or "", **rules)
    return figures.check_figure(value, **rules)


def validate_imported_progress(*, meta, programado, alcanzado, observaciones) -> tuple[dict, dict]:
    """(errors, warnings) by field for one quarter of a meta read from a workbook: the rules of
    the grid (validate_capture_row), except that a variance without observation, kept from a
    year captured before, is a warning (its sheet warns about it too) rather than a refusal."""
    observaciones = (observaciones or "").strip()
    errors = validate_capture_row(
        meta=meta,
        programado=programado,
        alcanzado=alcanzado,
        observaciones=observaciones,
        sending=False,
    )
    warnings = {}
    if "observaciones" in errors and len(observaciones) <= MAX_OBSERVACIONES:
        warnings["observaciones"] = errors.pop("observaciones")
    return errors, warnings
