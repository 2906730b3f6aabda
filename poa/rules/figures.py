"""The arithmetic of the TMM-F004 sheet, in plain Python so every view, export and test
computes the same figures from the same inputs. No Django import here on purpose."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

QUARTERS = (1, 2, 3, 4)
QUARTER_LABELS = {1: "Ene-Mar", 2: "Abr-Jun", 3: "Jul-Sep", 4: "Oct-Dic"}
QUARTER_NAMES = {1: "primer", 2: "segundo", 3: "tercer", 4: "cuarto"}
DEFAULT_SEMAFORO = {"verde": 90, "amarillo": 70, "sobre": 130}

Figure = Decimal | int
OptionalFigure = Decimal | int | None


def percent(part: Figure, whole: Figure) -> int | None:
    """part ÷ whole as a whole percent, rounded half up (172/340 → 51, 1/8 → 13).

    None when the whole is zero: a percentage of nothing is not 0 %."""
    if not whole:
        return None
    ratio = Decimal(part) * 100 / Decimal(whole)
    return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def avance_absoluto(achieved: Sequence[OptionalFigure], quarter: int) -> Decimal:
    """What was achieved from January up to the end of `quarter`; uncaptured counts as 0."""
    return sum((Decimal(a) for a in achieved[:quarter] if a is not None), Decimal(0))


def programmed_to_date(programmed: Sequence[Figure], quarter: int) -> Decimal:
    return sum((Decimal(p) for p in programmed[:quarter]), Decimal(0))


def programmed_total_difference(annual: Figure, programmed: Sequence[Figure]) -> Decimal:
    """Sum of the quarterly programmed figures minus the annual target (0 when consistent)."""
    return sum((Decimal(p) for p in programmed), Decimal(0)) - Decimal(annual)


def semaforo(achieved: Figure, programmed: Figure, thresholds=None) -> str | None:
    """Traffic light of achieved against programmed-to-date: verde, amarillo or rojo."""
    thresholds = thresholds or DEFAULT_SEMAFORO
    ratio = exact_percent(achieved, programmed)
    if ratio is None:
        return None
    if ratio >= thresholds["verde"]:
        return "verde"
    return "amarillo" if ratio >= thresholds["amarillo"] else "rojo"


def is_over_achieved(achieved: Figure, programmed: Figure, thresholds=None) -> bool:
    thresholds = thresholds or DEFAULT_SEMAFORO
    ratio = exact_percent(achieved, programmed)
    return ratio is not None and ratio > thresholds["sobre"]


def exact_percent(part: Figure, whole: Figure) -> Decimal | None:
    """part ÷ whole as a percent, unrounded; None when the whole is zero."""
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


LIGHTS = ("verde", "amarillo", "rojo", "sobrecumplimiento", "sin_programar")


def light(achieved: Figure, programmed: Figure, thresholds=None) -> str:
    """The seguimiento's mark of achieved against programmed-to-date: verde, amarillo, rojo,
    sobrecumplimiento above the over-achievement threshold (or any achievement where nothing
    was programmed), sin_programar when nothing was programmed nor achieved yet."""
    return ratio_light(exact_percent(achieved, programmed), achieved, thresholds)


def ratio_light(ratio: Decimal | None, achieved: Figure, thresholds=None) -> str:
    """light() given exact_percent(achieved, programmed): seguimiento computes each meta's
    ratio once for its mark, its percent and its group's mean."""
    if ratio is None:
        return "sobrecumplimiento" if achieved else "sin_programar"
    thresholds = thresholds or DEFAULT_SEMAFORO
    if ratio > thresholds["sobre"]:
        return "sobrecumplimiento"
    if ratio >= thresholds["verde"]:
        return "verde"
    return "amarillo" if ratio >= thresholds["amarillo"] else "rojo"


def percent_tenths(part: Figure, whole: Figure) -> Decimal | None:
    """part ÷ whole as a percent with one decimal, rounded half up (69.94 → 69.9): precise
    enough that the percent shown never contradicts its semáforo at a threshold."""
    return tenths(exact_percent(part, whole))


def tenths(ratio: Decimal | None) -> Decimal | None:
    """An exact percent with one decimal, rounded half up."""
    return None if ratio is None else ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# A group's avance ----------------------------------------------------------------------------
# Metas count different things (informes, nóminas, personas atendidas): a unit, programa or
# ramo cannot add their figures. Its avance is the mean of its metas' percentages to date, each
# capped so that one over-achieved meta does not hide the others (its mark still says
# sobrecumplimiento); metas with nothing programmed to date have no percentage and are counted
# apart.

AVANCE_METHOD = (
    "El avance de una unidad, un programa o un ramo es el promedio de los porcentajes de sus "
    "metas (lo alcanzado contra lo programado a la fecha), cada uno con un tope de {cap}%; "
    "las metas sin nada programado a la fecha no entran en el promedio y se cuentan aparte."
)


@dataclass
class GroupAvance:
    """The running mean of a group's metas; add_meta() each meta, add() a subgroup."""

    cap: Decimal
    total: Decimal = Decimal(0)  # sum of the capped percentages
    averaged: int = 0  # metas with something programmed to date
    unprogrammed: int = 0  # metas with nothing programmed to date, out of the mean

    def add_meta(self, achieved: Figure, programmed: Figure):
        self.add_ratio(exact_percent(achieved, programmed))

    def add_ratio(self, ratio: Decimal | None):
        """Adds a meta by its exact_percent (None: nothing programmed to date)."""
        if ratio is None:
            self.unprogrammed += 1
            return
        self.total += self.cap if self.cap < ratio else ratio  # min(ratio, cap), without the call
        self.averaged += 1

    def add(self, other: "GroupAvance"):
        self.total += other.total
        self.averaged += other.averaged
        self.unprogrammed += other.unprogrammed

    @property
    def exact(self) -> Decimal | None:
        return self.total / self.averaged if self.averaged else None

    @property
    def percent(self) -> Decimal | None:
        """The mean with one decimal, rounded half up; None when no meta is averaged."""
        exact = self.exact
        return None if exact is None else exact.quantize(Decimal("0.1"), ROUND_HALF_UP)


def group_avance(metas: Iterable[tuple[Figure, Figure]], cap: Figure = 100) -> GroupAvance:
    """The avance of a group of metas given as (achieved, programmed) to date."""
    avance = GroupAvance(Decimal(cap))
    for achieved, programmed in metas:
        avance.add_meta(achieved, programmed)
    return avance


def percent_light(ratio: Decimal | None, thresholds=None) -> str:
    """The seguimiento's mark of a percentage (a group's mean): sin_programar without one."""
    if ratio is None:
        return "sin_programar"
    return light(ratio, 100, thresholds)


def needs_observation(programmed: Figure, achieved: OptionalFigure, threshold: float = 0) -> bool:
    """Whether a quarter's variance must be explained: any difference by default, or one
    above `threshold` percent of what was programmed."""
    if achieved is None:
        return False
    difference = abs(Decimal(achieved) - Decimal(programmed))
    if not difference:
        return False
    if not threshold or not programmed:
        return True
    return difference * 100 / Decimal(programmed) > Decimal(str(threshold))


@dataclass(frozen=True)
class MetaFigures:
    """The computed columns of one row of the sheet at the end of `quarter`."""

    quarter: int
    absolute: Decimal
    relative: int | None
    programmed_to_date: Decimal
    progress_to_date: int | None
    semaforo: str | None
    over_achieved: bool
    warnings: list[str] = field(default_factory=list)


def meta_figures(
    *,
    annual: Figure,
    programmed: Sequence[Figure],
    achieved: Sequence[OptionalFigure],
    observations: Sequence[str] = ("", "", "", ""),
    quarter: int,
    observation_threshold: float = 0,
    thresholds=None,
) -> MetaFigures:
    """Every computed figure of one meta for the sheet of `quarter` (1–4)."""
    if quarter not in QUARTERS:
        raise ValueError(f"quarter must be 1-4, not {quarter!r}")
    absolute = avance_absoluto(achieved, quarter)
    planned = programmed_to_date(programmed, quarter)
    return MetaFigures(
        quarter=quarter,
        absolute=absolute,
        relative=percent(absolute, annual),
        programmed_to_date=planned,
        progress_to_date=percent(absolute, planned),
        semaforo=semaforo(absolute, planned, thresholds),
        over_achieved=is_over_achieved(absolute, planned, thresholds),
        warnings=consistency_warnings(
            annual=annual,
            programmed=programmed,
            achieved=achieved,
            observations=observations,
            quarter=quarter,
            observation_threshold=observation_threshold,
        ),
    )


def consistency_warnings(
    *,
    annual: Figure,
    programmed: Sequence[Figure],
    achieved: Sequence[OptionalFigure],
    observations: Sequence[str],
    quarter: int,
    observation_threshold: float = 0,
) -> list[str]:
    """The problems a reader of the sheet must be told about, in Spanish."""
    warnings = []
    difference = programmed_total_difference(annual, programmed)
    if difference:
        warnings.append(programmed_total_message(annual, programmed))
    for q in QUARTERS[:quarter]:
        p, a, note = programmed[q - 1], achieved[q - 1], observations[q - 1]
        if a is None:
            warnings.append(f"Falta capturar lo alcanzado de {QUARTER_LABELS[q]}.")
        elif q == quarter and needs_observation(p, a, observation_threshold) and not note.strip():
            warnings.append(unexplained_variance_message(q, p, a))
    return warnings


def unexplained_variance_message(quarter: int, programmed: Figure, achieved: Figure) -> str:
    return (
        f"En {QUARTER_LABELS[quarter]} lo alcanzado ({format_figure(achieved)}) difiere de lo "
        f"programado ({format_figure(programmed)}) y no tiene observación."
    )


def is_unprogrammed_achievement(programmed: Figure, achieved: OptionalFigure) -> bool:
    """Something was achieved in a quarter that programmed nothing."""
    return achieved is not None and Decimal(achieved) > 0 and not Decimal(programmed)


def split_evenly(total: int, weights: Sequence[int]) -> list[int]:
    """`total` whole units split in proportion to `weights`, adding up exactly: the units the
    rounding down leaves over go to the largest remainders, earliest first."""
    if total < 0 or not weights or min(weights) < 0 or not sum(weights):
        raise ValueError("a non-negative total and non-negative weights that add up to > 0")
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def programmed_total_message(annual: Figure, programmed: Sequence[Figure]) -> str:
    total = sum((Decimal(p) for p in programmed), Decimal(0))
    difference = total - Decimal(annual)
    key = "programmed_over" if difference > 0 else "programmed_under"
    template = FIGURE_MESSAGES[key + ("_one" if abs(difference) == 1 else "")]
    return template.format(
        total=format_figure(total),
        annual=format_figure(annual),
        difference=format_figure(abs(difference)),
    )


def format_figure(value: OptionalFigure) -> str:
    """A figure as printed on the sheet: 1,234 or 12.5; empty when not captured."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def format_percent(value: int | Decimal | None) -> str:
    """51% or 69.9%; empty when there is no percentage."""
    if value is None:
        return ""
    return f"{format_figure(value)}%"


# Reading a figure typed by a person ---------------------------------------------------------
# The capture grid and the programming screen apply the same rules live (static/poa/js/
# figures.js) with the messages below, which the pages hand to the script.

FIGURE_DIGITS = 12  # as stored: up to 10 whole digits and 2 decimals
MAX_FIGURE = Decimal(10) ** (FIGURE_DIGITS - 2)
# Only ASCII digits: Python's Decimal() would also read "١٢", "１２" and "1_000".
PLAIN_FIGURE = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)
THOUSANDS_FIGURE = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", re.ASCII)
DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{1,2}", re.ASCII)
FIGURE_MESSAGES = {
    "invalid": "Escriba un número, por ejemplo 12.",
    "decimal_comma": "Use punto decimal, no coma: por ejemplo 1.5.",
    "negative": "La cifra no puede ser negativa.",
    "too_big": "La cifra es demasiado grande.",
    "whole": "La unidad de medida «{unidad}» solo admite números enteros.",
    "decimals": "Use como máximo dos decimales.",
    # The quarters' P against the annual target (programmed_total_message); {total},
    # {annual} and {difference} as format_figure prints them.
    "programmed_over": "La suma de lo programado por trimestre ({total}) no coincide con la "
    "meta anual autorizada ({annual}): sobran {difference}.",
    "programmed_under": "La suma de lo programado por trimestre ({total}) no coincide con la "
    "meta anual autorizada ({annual}): faltan {difference}.",
    # One left over or missing is singular: «sobra 1», «falta 1».
    "programmed_over_one": "La suma de lo programado por trimestre ({total}) no coincide con la "
    "meta anual autorizada ({annual}): sobra {difference}.",
    "programmed_under_one": "La suma de lo programado por trimestre ({total}) no coincide con "
    "la meta anual autorizada ({annual}): falta {difference}.",
}


class FigureError(ValueError):
    """A typed figure that cannot be stored; str(error) is the Spanish message."""


def parse_figure(text: str, *, whole_only: bool = False, measure: str = "") -> Decimal | None:
    """The figure a person typed, as the sheet prints it (1,234 or 12.5); None when empty.

    Accepts ASCII digits, one decimal point and the sheet's thousands comma; raises
    FigureError with the Spanish message otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("-") and (
        PLAIN_FIGURE.fullmatch(text[1:]) or THOUSANDS_FIGURE.fullmatch(text[1:])
    ):
        raise FigureError(FIGURE_MESSAGES["negative"])
    if THOUSANDS_FIGURE.fullmatch(text):
        text = text.replace(",", "")
    elif DECIMAL_COMMA.fullmatch(text):
        raise FigureError(FIGURE_MESSAGES["decimal_comma"])
    elif not PLAIN_FIGURE.fullmatch(text):
        raise FigureError(FIGURE_MESSAGES["invalid"])
    return check_figure(Decimal(text), whole_only=whole_only, measure=measure)


def check_figure(value: Figure, *, whole_only: bool = False, measure: str = "") -> Decimal:
    """A figure that can be stored: not negative, not too big, whole where the unit of measure
    counts whole things, at most two decimals. Raises FigureError otherwise."""
    value = Decimal(value)
    if not value.is_finite():
        raise FigureError(FIGURE_MESSAGES["invalid"])
    if value < 0:
        raise FigureError(FIGURE_MESSAGES["negative"])
    if value >= MAX_FIGURE:
        raise FigureError(FIGURE_MESSAGES["too_big"])
    if whole_only and value != value.to_integral_value():
        raise FigureError(whole_number_message(measure))
    if value != value.quantize(Decimal("0.01")):
        raise FigureError(FIGURE_MESSAGES["decimals"])
    return value


def whole_number_message(measure: str) -> str:
    return FIGURE_MESSAGES["whole"].format(unidad=measure)
