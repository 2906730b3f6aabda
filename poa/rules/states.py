"""The states and transitions of every workflow of POA, each defined once.

A Machine lists its states and its transitions; a Transition says from which states it starts,
where it ends, who may make it (by role, per source state) and every sentence a person reads
about it: the button, the confirmation, the message once done, the line of the timeline, the
email, the task on the home page and the refusals. A State says its label, what it waits for
and the colour of its badge. The services (poa.services.transitions runs any transition), the
access rules, the views, the notifications, the templates and the admin read from here;
nothing else spells these facts.

Roles are names; poa.selectors.access says who holds each on a unit and with which position
they sign. No database access and no import of poa.models here: the models take their choices
from here.
"""

from dataclasses import dataclass, field

from django.db import models

# Roles: who may act on a unit's report or programming
CAPTURISTA = "capturista"
UE_HEAD = "ue_head"
PROGRAM_HEAD = "program_head"
RAMO_HEAD = "ramo_head"
PLANEACION = "planeacion"

ROLE_NAMES = {
    CAPTURISTA: "un capturista de la unidad ejecutora",
    UE_HEAD: "el responsable de la unidad ejecutora",
    PROGRAM_HEAD: "el responsable del programa",
    RAMO_HEAD: "el responsable del ramo",
    PLANEACION: "planeación",
}

# How the sheet's signature blocks name the role of whoever signs.
ROLE_TITLES = {
    UE_HEAD: "RESPONSABLE DE LA UNIDAD EJECUTORA",
    PROGRAM_HEAD: "RESPONSABLE DEL PROGRAMA",
    RAMO_HEAD: "RESPONSABLE DEL RAMO",
}


@dataclass(frozen=True)
class State:
    name: str  # the enum member: BORRADOR
    value: str  # stored: borrador
    label: str  # shown: Borrador
    waiting: str  # what the report waits for, said to those who cannot act
    task: str = ""  # what the unit does in this state, on its home page
    colour: str = "gray"  # of its badge (state-gray … in app.css)
    draft: bool = False  # its unit still edits it
    final: bool = False  # its figures are definitive: signed or approved
    pending: bool = False  # it waits for planeación's decision
    css: str = field(default="", compare=False)  # the badge's class, given by its machine

    def counted(self, n) -> str:
        """How a count of subjects in this state reads: 2 en borrador, 1 enviado, 3 enviados."""
        if self.draft:
            return f"{n:,} en {self.label.lower()}"
        return f"{n:,} {self.label.lower()}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Transition:
    action: str  # stored on the event: send
    name: str  # the enum member: SEND
    slug: str  # in the URL: enviar
    verb: str  # in refusals: "No se puede enviar…"
    sources: tuple[str, ...]
    target: str
    # Roles that may act, by source state; the first role the user holds is the one they sign as.
    actors: dict[str, tuple[str, ...]]
    event: str  # the timeline's line and the event's label: "Enviado (elaboró)"
    label: str  # the button: "Enviar (firmar ELABORÓ)"
    confirm: str  # the button inside the confirmation
    style: str  # Bootstrap colour of both buttons
    question: str  # what the confirmation says will happen
    done: str  # the message once made
    subject: str  # the email's subject: "Informe … enviado para su revisión"
    next_step: str  # the email's last word to its readers
    notify: tuple[str, ...]  # roles emailed once it is made
    task: str = ""  # the home page's sentence for whoever may make it
    comment_required: str = ""  # the Spanish refusal when a comment is mandatory
    restarts: bool = False  # clears the signatures: the subject returns to its unit
    signs: str = ""  # the signature block it fills: ELABORÓ
    # Offered as a button on the screens; False for a transition only a service makes (the
    # programming loaded from an Excel workbook).
    offered: bool = True

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role that makes this transition from some state, without repeats."""
        roles = [role for state_roles in self.actors.values() for role in state_roles]
        return tuple(dict.fromkeys(roles))

    @property
    def role_names(self) -> str:
        """el responsable del programa o el responsable del ramo"""
        return " o ".join(ROLE_NAMES[role] for role in self.roles)

    @property
    def signer_role(self) -> str:
        """The role whose block a signing transition fills: its first actor."""
        return self.actors[self.sources[0]][0]

    @property
    def changes_state(self) -> bool:
        return any(source != self.target for source in self.sources)


@dataclass(frozen=True)
class Machine:
    name: str  # in the URL of its transitions: informe
    this: str  # "este informe": for refusals
    indefinite: str  # "un informe"
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    # What a unit whose subject has no row yet counts as in lists and filters (no report of
    # the quarter, no programming started); it is never stored.
    absent: State | None = None
    badge: str = "state"  # the prefix of its badges' classes: state-borrador
    _by_action: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_action", {t.action: t for t in self.transitions})
        for state in (*self.states, self.absent):
            if state is not None:
                object.__setattr__(state, "css", f"{self.badge} {self.badge}-{state.value}")
        names = {s.value for s in self.states}
        for t in self.transitions:
            assert set(t.sources) | {t.target} <= names, t.action
            assert set(t.actors) == set(t.sources), t.action

    def refusal_for_role(self, transition) -> str:
        """Why someone who holds none of the transition's roles may not make it."""
        return f"Solo {transition.role_names} puede {transition.verb} {self.this}."

    def refusal_for_state(self, transition, state) -> str:
        """Why the transition cannot be made from the subject's state (its stored value)."""
        label = self.state(state).label.lower()
        return f"No se puede {transition.verb} {self.indefinite} en estado {label}."

    @property
    def initial(self) -> State:
        return self.states[0]

    def state(self, value) -> State:
        """The State stored as `value`; the absent one for a subject without a row."""
        if self.absent is not None and value in (None, self.absent.value):
            return self.absent
        return next(s for s in self.states if s.value == value)

    def transition(self, action) -> Transition:
        return self._by_action[action]

    def by_slug(self, slug) -> Transition | None:
        """The transition a screen's URL names; none for those no screen offers."""
        return next((t for t in self.transitions if t.slug == slug and t.offered), None)

    def from_state(self, value) -> list[Transition]:
        """The transitions the screens offer from a state, in the order they offer them."""
        return [t for t in self.transitions if value in t.sources and t.offered]

    @property
    def restart_actions(self) -> frozenset[str]:
        return frozenset(t.action for t in self.transitions if t.restarts)

    @property
    def signing(self) -> tuple[Transition, ...]:
        """The transitions that fill a signature block, in the order of the blocks."""
        return tuple(t for t in self.transitions if t.signs)

    def state_choices(self, class_name) -> type[models.TextChoices]:
        members = [(s.name, (s.value, s.label)) for s in self.states]
        return models.TextChoices(class_name, members)

    def action_choices(self, class_name) -> type[models.TextChoices]:
        members = [(t.name, (t.action, t.event)) for t in self.transitions]
        return models.TextChoices(class_name, members)


BORRADOR, ENVIADO, REVISADO, AUTORIZADO = "borrador", "enviado", "revisado", "autorizado"

REPORT = Machine(
    this="este informe",
    indefinite="un informe",
    name="informe",
    absent=State(
        "SIN",
        "sin",
        "Sin informe",
        "Planeación aún no abre este trimestre para la unidad.",
        colour="light",
    ),
    states=(
        State(
            "BORRADOR",
            BORRADOR,
            "Borrador",
            "El responsable de la unidad ejecutora envía el informe cuando la captura esté "
            "completa.",
            task="Capturar lo alcanzado",
            draft=True,
        ),
        State(
            "ENVIADO",
            ENVIADO,
            "Enviado",
            "En espera de la revisión del responsable del programa.",
            colour="blue",
        ),
        State(
            "REVISADO",
            REVISADO,
            "Revisado",
            "En espera de la autorización del responsable del ramo.",
            colour="purple",
        ),
        State(
            "AUTORIZADO",
            AUTORIZADO,
            "Autorizado",
            "Informe autorizado. Solo planeación puede reabrirlo.",
            colour="green",
            final=True,
        ),
    ),
    transitions=(
        Transition(
            action="send",
            name="SEND",
            slug="enviar",
            verb="enviar",
            sources=(BORRADOR,),
            target=ENVIADO,
            actors={BORRADOR: (UE_HEAD,)},
            event="Enviado (elaboró)",
            label="Enviar (firmar ELABORÓ)",
            confirm="Sí, enviar y firmar ELABORÓ",
            style="success",
            question="El informe pasará a revisión con su firma ELABORÓ y ya no podrá "
            "modificarse, salvo que se lo devuelvan.",
            done="Informe enviado a revisión.",
            subject="enviado para su revisión",
            next_step="Le corresponde revisarlo (REVISÓ) o devolverlo con un comentario.",
            notify=(PROGRAM_HEAD,),
            task="Capturar y enviar (firmar ELABORÓ)",
            signs="ELABORÓ",
        ),
        Transition(
            action="review",
            name="REVIEW",
            slug="revisar",
            verb="revisar",
            sources=(ENVIADO,),
            target=REVISADO,
            actors={ENVIADO: (PROGRAM_HEAD,)},
            event="Revisado (revisó)",
            label="Revisar (firmar REVISÓ)",
            confirm="Sí, revisar y firmar REVISÓ",
            style="success",
            question="El informe quedará revisado con su firma REVISÓ y pasará a autorización.",
            done="Informe revisado.",
            subject="revisado, pendiente de autorizar",
            next_step="Le corresponde autorizarlo (AUTORIZÓ) o devolverlo con un comentario.",
            notify=(RAMO_HEAD,),
            task="Revisar (firmar REVISÓ)",
            signs="REVISÓ",
        ),
        Transition(
            action="authorize",
            name="AUTHORIZE",
            slug="autorizar",
            verb="autorizar",
            sources=(REVISADO,),
            target=AUTORIZADO,
            actors={REVISADO: (RAMO_HEAD,)},
            event="Autorizado (autorizó)",
            label="Autorizar (firmar AUTORIZÓ)",
            confirm="Sí, autorizar y firmar AUTORIZÓ",
            style="success",
            question="El informe quedará autorizado con su firma AUTORIZÓ; sus cifras serán "
            "definitivas y solo planeación podrá reabrirlo.",
            done="Informe autorizado.",
            subject="autorizado",
            next_step="Las cifras del trimestre quedan firmes.",
            notify=(UE_HEAD, CAPTURISTA),
            task="Autorizar (firmar AUTORIZÓ)",
            signs="AUTORIZÓ",
        ),
        Transition(
            action="return",
            name="RETURN",
            slug="devolver",
            verb="devolver",
            sources=(ENVIADO, REVISADO),
            target=BORRADOR,
            # From REVISADO the ramo head may return too, and signs as such.
            actors={ENVIADO: (PROGRAM_HEAD,), REVISADO: (RAMO_HEAD, PROGRAM_HEAD)},
            event="Devuelto",
            label="Devolver",
            confirm="Sí, devolver",
            style="warning",
            question="El informe regresará a borrador para que la unidad lo corrija; las "
            "firmas anteriores se anulan. Escriba qué debe corregirse.",
            done="Informe devuelto a la unidad ejecutora.",
            subject="devuelto para corrección",
            next_step="Corrija la captura y vuelva a enviarlo.",
            notify=(UE_HEAD, CAPTURISTA),
            comment_required="Escriba el motivo de la devolución.",
            restarts=True,
        ),
        Transition(
            action="reopen",
            name="REOPEN",
            slug="reabrir",
            verb="reabrir",
            sources=(AUTORIZADO,),
            target=BORRADOR,
            actors={AUTORIZADO: (PLANEACION,)},
            event="Reabierto por planeación",
            label="Reabrir",
            confirm="Sí, reabrir",
            style="danger",
            question="El informe autorizado regresará a borrador y se anulan sus firmas. "
            "Quedará registrado el motivo.",
            done="Informe reabierto.",
            subject="reabierto por planeación",
            next_step="Corrija la captura y vuelva a enviarlo.",
            notify=(UE_HEAD, CAPTURISTA),
            comment_required="Escriba el motivo para reabrir el informe.",
            restarts=True,
        ),
        Transition(
            action="ready",
            name="READY",
            slug="avisar",
            verb="avisar al responsable sobre",
            sources=(BORRADOR,),
            target=BORRADOR,
            actors={BORRADOR: (CAPTURISTA,)},
            event="Captura lista (aviso al responsable)",
            label="Avisar al responsable: captura lista",
            confirm="Sí, avisar al responsable",
            style="primary",
            question="Se avisará por correo al responsable de la unidad ejecutora que la "
            "captura está completa para que revise las cifras y envíe el informe con su "
            "firma ELABORÓ.",
            done="Se avisó al responsable de la unidad que la captura está lista.",
            subject="marcado como listo para enviar",
            next_step="Revise las cifras y envíe el informe (firmar ELABORÓ), o pida a los "
            "capturistas que corrijan lo necesario.",
            notify=(UE_HEAD,),
        ),
    ),
)


# The annual programming of a unit: drafted by the unit, approved by planeación ----------------

ENVIADA, APROBADA = "enviada", "aprobada"

PROGRAMMING = Machine(
    this="esta programación",
    indefinite="una programación",
    name="programacion",
    absent=State(
        "SIN",
        "sin",
        "Sin programación",
        "La unidad ejecutora aún no empieza a redactar sus metas.",
        colour="amber",
    ),
    badge="programming-state",
    states=(
        State(
            "BORRADOR",
            BORRADOR,
            "Borrador",
            "La unidad ejecutora redacta sus metas; su responsable la envía a planeación.",
            task="Programar las metas del año",
            draft=True,
        ),
        State(
            "ENVIADA",
            ENVIADA,
            "Enviada",
            "En espera de la aprobación de planeación.",
            colour="blue",
            pending=True,
        ),
        State(
            "APROBADA",
            APROBADA,
            "Aprobada",
            "Programación aprobada: solo cambia por modificación programática.",
            colour="green",
            final=True,
        ),
    ),
    transitions=(
        Transition(
            action="send",
            name="SEND",
            slug="enviar",
            verb="enviar",
            sources=(BORRADOR,),
            target=ENVIADA,
            actors={BORRADOR: (UE_HEAD,)},
            event="Programación enviada a planeación",
            label="Enviar la programación a planeación",
            confirm="Sí, enviar a planeación",
            style="success",
            question="La programación pasará a planeación para su aprobación y ya no podrá "
            "modificarse, salvo que se la devuelvan.",
            done="Programación enviada a planeación.",
            subject="programación enviada para su aprobación",
            next_step="Le corresponde aprobarla o devolverla con un comentario.",
            notify=(PLANEACION,),
            task="Enviar la programación anual",
        ),
        Transition(
            action="approve",
            name="APPROVE",
            slug="aprobar",
            verb="aprobar",
            sources=(ENVIADA,),
            target=APROBADA,
            actors={ENVIADA: (PLANEACION,)},
            event="Programación aprobada",
            label="Aprobar la programación",
            confirm="Sí, aprobar",
            style="success",
            question="Las metas, sus metas anuales y lo programado por trimestre quedarán "
            "aprobados; la unidad podrá capturar sus avances y solo podrán cambiar mediante "
            "una modificación programática.",
            done="Programación aprobada.",
            subject="programación aprobada",
            next_step="La unidad ya puede capturar sus avances trimestrales cuando planeación "
            "abra cada trimestre.",
            notify=(UE_HEAD, CAPTURISTA),
            task="Aprobar la programación anual",
        ),
        Transition(
            action="return",
            name="RETURN",
            slug="devolver",
            verb="devolver",
            sources=(ENVIADA,),
            target=BORRADOR,
            actors={ENVIADA: (PLANEACION,)},
            event="Programación devuelta",
            label="Devolver la programación",
            confirm="Sí, devolver la programación",
            style="warning",
            question="La programación regresará a borrador para que la unidad la corrija. "
            "Escriba qué debe corregirse.",
            done="Programación devuelta a la unidad ejecutora.",
            subject="programación devuelta para corrección",
            next_step="Corrija la programación y vuelva a enviarla.",
            notify=(UE_HEAD, CAPTURISTA),
            comment_required="Escriba el motivo de la devolución de la programación.",
            restarts=True,
        ),
        Transition(
            action="ready",
            name="READY",
            slug="avisar",
            verb="avisar al responsable sobre",
            sources=(BORRADOR,),
            target=BORRADOR,
            actors={BORRADOR: (CAPTURISTA,)},
            event="Programación lista (aviso al responsable)",
            label="Avisar al responsable: programación lista",
            confirm="Sí, avisar al responsable de la unidad",
            style="primary",
            question="Se avisará por correo al responsable de la unidad ejecutora que las metas "
            "están listas para que las revise y envíe la programación a planeación.",
            done="Se avisó al responsable de la unidad que la programación está lista.",
            subject="programación lista para enviar",
            next_step="Revise las metas y envíe la programación a planeación, o pida a los "
            "capturistas que corrijan lo necesario.",
            notify=(UE_HEAD,),
        ),
        Transition(
            action="load",
            name="LOAD",
            slug="cargar",
            verb="cargar y aprobar",
            sources=(BORRADOR,),
            target=APROBADA,
            actors={BORRADOR: (PLANEACION,)},
            event="Programación cargada desde Excel y aprobada por planeación",
            label="Cargar y aprobar la programación",
            confirm="Sí, cargar y aprobar",
            style="success",
            question="La programación importada del libro de Excel quedará aprobada sin el "
            "envío de la unidad; sus metas solo podrán cambiar mediante una modificación "
            "programática.",
            done="Programación cargada desde Excel y aprobada.",
            subject="programación cargada desde Excel y aprobada",
            next_step="Las metas importadas están aprobadas; revise que sean las de su unidad.",
            # A whole year loaded at once: nobody is emailed, and no screen offers it.
            notify=(),
            offered=False,
        ),
    ),
)


# A change to an approved meta during the year: requested by the unit, decided by planeación ----

SOLICITADA, RECHAZADA = "solicitada", "rechazada"

MODIFICATION = Machine(
    this="esta modificación",
    indefinite="una modificación",
    name="modificacion",
    badge="modification-state",
    states=(
        State(
            "SOLICITADA",
            SOLICITADA,
            "Solicitada",
            "En espera de la decisión de planeación.",
            colour="amber",
            pending=True,
        ),
        State(
            "APROBADA",
            APROBADA,
            "Aprobada",
            "Modificación aprobada y en vigor.",
            colour="green",
            final=True,
        ),
        State(
            "RECHAZADA",
            RECHAZADA,
            "Rechazada",
            "Modificación rechazada por planeación.",
            final=True,
        ),
    ),
    transitions=(
        Transition(
            action="approve",
            name="APPROVE",
            slug="aprobar",
            verb="aprobar",
            sources=(SOLICITADA,),
            target=APROBADA,
            actors={SOLICITADA: (PLANEACION,)},
            event="Modificación aprobada",
            label="Aprobar la modificación",
            confirm="Sí, aprobar la modificación",
            style="success",
            question="La meta cambiará como se solicita a partir de ahora; los trimestres ya "
            "autorizados conservan sus cifras y la versión anterior queda registrada.",
            done="Modificación aprobada: la meta está actualizada.",
            subject="modificación programática aprobada",
            next_step="La meta ya muestra las cifras modificadas.",
            notify=(UE_HEAD, CAPTURISTA),
            task="Decidir una modificación programática",
        ),
        Transition(
            action="reject",
            name="REJECT",
            slug="rechazar",
            verb="rechazar",
            sources=(SOLICITADA,),
            target=RECHAZADA,
            actors={SOLICITADA: (PLANEACION,)},
            event="Modificación rechazada",
            label="Rechazar la modificación",
            confirm="Sí, rechazar",
            style="danger",
            question="La meta seguirá como está. Escriba el motivo del rechazo.",
            done="Modificación rechazada.",
            subject="modificación programática rechazada",
            next_step="La meta no cambia; puede solicitar otra modificación si lo necesita.",
            notify=(UE_HEAD, CAPTURISTA),
            comment_required="Escriba el motivo del rechazo.",
        ),
    ),
)


class WorkflowError(Exception):
    """A transition not allowed from the subject's state, a closed window, a locked report,
    a missing comment: str(error) is the Spanish explanation."""
