"""Loads the reference year (2023) with its annual programming approved and creates the demo
accounts; signs off Q1 and Q2 through the real services and opens Q3 for capture. With
POA_FIRMA_ELECTRONICA on it also makes a throw-away demo certificate authority and e.firma files
for the heads (demo-efirma/, README «Firma electrónica»), trusts that authority when
POA_FIRMA_RAICES names none, and signs with them. Safe to run again."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from poa.management.efirma_demo import make_authority, make_certificate
from poa.models import Ejercicio, Persona, Programacion, QuarterlyProgress, Report, UnidadEjecutora
from poa.rules.capture import validate_capture_row
from poa.selectors.access import CONTRALORIA_GROUP, PLANEACION_GROUP
from poa.selectors.locks import capture_window
from poa.services import notifications, programming
from poa.services.capture import capture_save
from poa.services.periods import period_close, period_open
from poa.services.review import report_authorize, report_review, report_send

DEMO_PASSWORD = "poa-demo-2023"
YEAR = 2023
AARON = "LIC. AARÓN ALEXIS ÁLVAREZ MARÍN"
FABIOLA = "LIC. FABIOLA LEÓN HUERTA CABRERA"
# The reference sheet of Q2 prints no Q1 observations, nor one for meta 206; a report is sent
# only with every variance explained, so the demo fills those gaps with this text.
MISSING_OBSERVATION = "Observación no incluida en la hoja de referencia."
# Demo-only e.firma: a throw-away authority and the heads' files, never for real signatures.
EFIRMA_FOLDER = settings.BASE_DIR / "demo-efirma"
EFIRMA_PASSWORD = "efirma-demo-2023"
EFIRMA_HOLDERS = {  # username: (name on the certificate, RFC)
    "aaron.alvarez": ("AARON ALEXIS ALVAREZ MARIN", "AAMA800101AB1"),
    "fabiola.leon": ("FABIOLA LEON HUERTA CABRERA", "LEHF800101CD2"),
}


@dataclass(frozen=True)
class Account:
    username: str
    first_name: str
    last_name: str
    description: str


PLANEACION = Account("planeacion", "Patricia", "Ramírez Soto", "planeación: todos los ramos")
CONTRALORIA = Account(
    "contraloria", "Marta", "Díaz Ochoa", "contraloría: lee todo y no cambia nada"
)
CAPTURISTAS = {
    "101": Account("captura101", "Carlos", "Méndez Ruiz", "capturista de la UE 101"),
    "102": Account("captura102", "Diana", "Ochoa Lara", "capturista de la UE 102"),
    "201": Account("captura201", "Jorge", "Valdez Peña", "capturista de la UE 201"),
}
HEADS = {
    AARON: Account(
        "aaron.alvarez",
        "Aarón Alexis",
        "Álvarez Marín",
        "responsable de las UE 101 y 201, de los programas 511 y 592 y del ramo 59",
    ),
    FABIOLA: Account("fabiola.leon", "Fabiola", "León Huerta Cabrera", "responsable de la UE 102"),
}


class Command(BaseCommand):
    help = (
        "Carga los datos de referencia 2023, crea los usuarios de demostración, autoriza el "
        "primer y segundo trimestre y abre el tercero para captura."
    )

    def handle(self, *args, **options):
        self.efirma = self.demo_efirma() if settings.POA_FIRMA_ELECTRONICA else {}
        roots = {} if settings.POA_FIRMA_RAICES else {"POA_FIRMA_RAICES": str(EFIRMA_FOLDER / "ac")}
        # The demo's people do not exist: its steps queue no email for the worker to send.
        with override_settings(**roots), notifications.emails_off(), transaction.atomic():
            self.load_reference()
            users = self.ensure_accounts()
            self.approve_programming(users)
            self.sign_off(users, quarter=1)
            self.sign_off(users, quarter=2)
            self.open_q3(users["planeacion"])
        if self.efirma:
            self.stdout.write(
                f"e.firma de demostración (contraseña {EFIRMA_PASSWORD}): "
                f"{EFIRMA_FOLDER}/<usuario>.cer y .key, o .p12."
            )
        self.stdout.write(f"Usuarios de demostración (contraseña: {DEMO_PASSWORD}):")
        for username, description in self.listing():
            self.stdout.write(f"  {username:<16} {description}")

    def demo_efirma(self):
        """The demo authority and each head's .cer, .key and .p12 in demo-efirma/ (made once,
        kept for later runs); returns each head's credentials by username."""
        authority_file = EFIRMA_FOLDER / "ac" / "ac-demostracion-poa.cer"
        if not authority_file.exists():
            self.write_efirma(authority_file)
        credentials = {}
        for username in EFIRMA_HOLDERS:
            credentials[username] = {
                "cer": (EFIRMA_FOLDER / f"{username}.cer").read_bytes(),
                "key": (EFIRMA_FOLDER / f"{username}.key").read_bytes(),
                "password": EFIRMA_PASSWORD,
            }
        return credentials

    def write_efirma(self, authority_file):
        authority_file.parent.mkdir(parents=True, exist_ok=True)
        authority = make_authority()
        for username, (name, rfc) in EFIRMA_HOLDERS.items():
            issued = make_certificate(authority, name=name, rfc=rfc)
            (EFIRMA_FOLDER / f"{username}.cer").write_bytes(issued.cer)
            (EFIRMA_FOLDER / f"{username}.key").write_bytes(issued.key_file(EFIRMA_PASSWORD))
            (EFIRMA_FOLDER / f"{username}.p12").write_bytes(
                issued.p12(EFIRMA_PASSWORD, name=username)
            )
        authority_file.write_bytes(authority.cer)
        self.stdout.write(
            f"e.firma de demostración en {EFIRMA_FOLDER} (contraseña: {EFIRMA_PASSWORD})."
        )

    def load_reference(self):
        if not Ejercicio.objects.filter(year=YEAR).exists():
            call_command("loaddata", "reference", verbosity=0)
            self.stdout.write("Datos de referencia 2023 cargados.")

    def listing(self):
        accounts = [PLANEACION, *CAPTURISTAS.values(), *HEADS.values()]
        return [("admin", "administrador del sistema")] + [
            (a.username, a.description) for a in accounts
        ]

    # Accounts ----------------------------------------------------------------------------

    def ensure_user(self, account, **flags):
        user, _ = get_user_model().objects.get_or_create(username=account.username)
        user.first_name, user.last_name = account.first_name, account.last_name
        user.email = f"{account.username}@mexicali.example"
        for name, value in flags.items():
            setattr(user, name, value)
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    def ensure_accounts(self):
        admin = Account("admin", "Administrador", "del sistema", "")
        users = {"admin": self.ensure_user(admin, is_staff=True, is_superuser=True)}
        group, _ = Group.objects.get_or_create(name=PLANEACION_GROUP)
        users["planeacion"] = self.ensure_user(PLANEACION)
        users["planeacion"].groups.add(group)
        users["contraloria"] = self.ensure_user(CONTRALORIA)
        users["contraloria"].groups.add(Group.objects.get_or_create(name=CONTRALORIA_GROUP)[0])
        units = UnidadEjecutora.objects.filter(ramo__ejercicio__year=YEAR, ramo__clave="59")
        for ue in units:
            account = CAPTURISTAS.get(ue.clave)
            if account:
                users[account.username] = self.ensure_user(account)
                ue.capturistas.add(users[account.username])
        for nombre, account in HEADS.items():
            users[account.username] = user = self.ensure_user(account)
            Persona.objects.filter(usuario=user).exclude(nombre=nombre).update(usuario=None)
            rfc = EFIRMA_HOLDERS[account.username][1]
            Persona.objects.filter(nombre=nombre).update(usuario=user, email=user.email, rfc=rfc)
        return users

    # Workflow ----------------------------------------------------------------------------

    def approve_programming(self, users):
        """The reference year arrives with its annual programming approved; a unit without
        it (a database older than the programming) is sent by its head and approved by
        planeación, so that its quarters can be captured."""
        units = UnidadEjecutora.objects.filter(ramo__ejercicio__year=YEAR).select_related(
            "responsable__usuario"
        )
        for ue in units:
            programacion = programming.programming_of(ue)
            if programacion.state == Programacion.State.BORRADOR:
                programming.programming_send(programacion=programacion, user=ue.responsable.usuario)
            if programacion.state == Programacion.State.ENVIADA:
                programming.programming_approve(programacion=programacion, user=users["planeacion"])
                self.stdout.write(f"Programación {YEAR} de la UE {ue.clave} aprobada.")

    def sign_off(self, users, *, quarter):
        """Opens the quarter, completes its observations as the capturistas, has each head
        sign and closes it; nothing happens to a quarter already authorized."""
        ejercicio = Ejercicio.objects.get(year=YEAR)
        reports = Report.objects.filter(
            unidad_ejecutora__ramo__ejercicio=ejercicio, quarter=quarter
        )
        if reports.exists() and not reports.exclude(state=Report.State.AUTORIZADO).exists():
            return
        period = period_open(
            ejercicio=ejercicio,
            quarter=quarter,
            deadline=timezone.now() + timedelta(days=1),
            user=users["planeacion"],
        )
        for report in reports.select_related("unidad_ejecutora__responsable__usuario"):
            self.sign_off_report(report, users)
        period_close(period=period, user=users["planeacion"])
        self.stdout.write(f"Trimestre {quarter} de {YEAR} autorizado.")

    def sign_off_report(self, report, users):
        ue = report.unidad_ejecutora
        capturista = users[CAPTURISTAS[ue.clave].username]
        head = ue.responsable.usuario
        if report.state == Report.State.BORRADOR:
            self.complete_observations(report, capturista)
            report_send(report=report, user=head, credentials=self.efirma.get(head.username))
        reviewer, authorizer = users["aaron.alvarez"], users["aaron.alvarez"]
        if Report.objects.get(pk=report.pk).state == Report.State.ENVIADO:
            credentials = self.efirma.get(reviewer.username)
            report_review(report=report, user=reviewer, credentials=credentials)
        if Report.objects.get(pk=report.pk).state == Report.State.REVISADO:
            credentials = self.efirma.get(authorizer.username)
            report_authorize(report=report, user=authorizer, credentials=credentials)

    def complete_observations(self, report, capturista):
        rows = {}
        progresses = QuarterlyProgress.objects.filter(
            meta__unidad_ejecutora=report.unidad_ejecutora, quarter=report.quarter
        ).select_related("meta__unidad_medida")
        for progress in progresses:
            errors = validate_capture_row(
                meta=progress.meta,
                programado=progress.programado,
                alcanzado=progress.alcanzado,
                observaciones=progress.observaciones,
                sending=True,
            )
            if "observaciones" in errors:
                rows[progress.meta_id] = {
                    "alcanzado": progress.alcanzado,
                    "observaciones": MISSING_OBSERVATION,
                }
        if rows:
            report.refresh_from_db()
            capture_save(report=report, user=capturista, version=report.version, rows=rows)

    def open_q3(self, planeacion):
        ejercicio = Ejercicio.objects.get(year=YEAR)
        window = capture_window(
            unidad_ejecutora=UnidadEjecutora.objects.filter(ramo__ejercicio=ejercicio).first(),
            quarter=3,
        )
        if window.is_open:
            return
        deadline = (timezone.localtime() + timedelta(days=30)).replace(
            hour=23, minute=59, second=0, microsecond=0
        )
        period_open(ejercicio=ejercicio, quarter=3, deadline=deadline, user=planeacion)
        self.stdout.write(
            f"Tercer trimestre de {YEAR} abierto para captura hasta el "
            f"{deadline.strftime('%d/%m/%Y')}."
        )
