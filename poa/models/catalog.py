"""The catalog of one fiscal year: who spends (Ramo → Programa → UnidadEjecutora), what for
(CONAC functional classification, Plan Municipal de Desarrollo) and in which units."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from poa.rules.text import NAME_CONTROL_MESSAGE, has_control_characters

digits = RegexValidator(r"^\d+$", "Use solo dígitos.")
# The SAT's RFC: 4 letters (3 for a company), the date of birth and a 3-character homoclave.
rfc_format = RegexValidator(
    r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$",
    "Escriba el RFC con homoclave, en mayúsculas y sin espacios, p. ej. AAMA800101AB1.",
)
dotted = RegexValidator(r"^\d+(\.\d+)*$", "Use dígitos separados por puntos, por ejemplo 4.6.1.")


class Ejercicio(models.Model):
    year = models.PositiveSmallIntegerField("año", unique=True)
    municipio = models.CharField(
        "municipio",
        max_length=200,
        help_text="Como se imprime en la hoja, p. ej. XXIV AYUNTAMIENTO DE MEXICALI DE BAJA "
        "CALIFORNIA.",
    )
    pmd = models.CharField(
        "plan municipal de desarrollo",
        max_length=200,
        blank=True,
        help_text="El PMD al que pertenecen las líneas de acción del año, p. ej. PMD 2022-2024; "
        "un ejercicio nuevo con el mismo PMD conserva las líneas.",
    )

    class Meta:
        verbose_name = "ejercicio fiscal"
        verbose_name_plural = "ejercicios fiscales"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100),
                name="ejercicio_year_range",
                violation_error_message="El año debe estar entre 2000 y 2100.",
            )
        ]

    def __str__(self):
        return str(self.year)


class Clasificacion(models.Model):
    """A level of the CONAC functional classification (DOF 27-12-2010): a code whose last
    digit the sheet prints, and a name."""

    nombre = models.CharField("nombre", max_length=200)

    class Meta:
        abstract = True
        ordering = ["clave"]

    def __str__(self):
        return f"{self.clave} {self.nombre}"

    @property
    def digit(self):
        return self.clave[-1]


def clave_field(length):
    return models.CharField("clave", max_length=length, primary_key=True, validators=[digits])


class Finalidad(Clasificacion):
    clave = clave_field(1)

    class Meta(Clasificacion.Meta):
        verbose_name = "finalidad"
        verbose_name_plural = "finalidades"


class Funcion(Clasificacion):
    clave = clave_field(2)
    finalidad = models.ForeignKey(
        Finalidad, models.PROTECT, related_name="funciones", verbose_name="finalidad"
    )

    class Meta(Clasificacion.Meta):
        verbose_name = "función"
        verbose_name_plural = "funciones"


class Subfuncion(Clasificacion):
    clave = clave_field(3)
    funcion = models.ForeignKey(
        Funcion, models.PROTECT, related_name="subfunciones", verbose_name="función"
    )

    class Meta(Clasificacion.Meta):
        verbose_name = "subfunción"
        verbose_name_plural = "subfunciones"

    def __str__(self):
        return f"{'.'.join(self.clave)} {self.nombre}"


class Persona(models.Model):
    """Someone who signs the sheet; may hold several roles with a different position each."""

    nombre = models.CharField("nombre", max_length=200, help_text="Como firma, con su título.")
    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="persona",
        verbose_name="usuario",
    )
    email = models.EmailField("correo electrónico", blank=True)
    # Compared with the subject of the e.firma certificate this person signs with (by name
    # when empty).
    rfc = models.CharField(
        "RFC",
        max_length=13,
        blank=True,
        validators=[rfc_format],
        help_text="Con homoclave; se compara con el certificado de su e.firma.",
    )

    class Meta:
        verbose_name = "persona"
        verbose_name_plural = "personas"
        ordering = ["nombre"]

    def __str__(self):
        return self.nombre

    def clean(self):
        super().clean()
        if has_control_characters(self.nombre):
            raise ValidationError({"nombre": NAME_CONTROL_MESSAGE})


class Responsable(models.Model):
    """The person who signs for a unit, and the position printed under their name."""

    responsable = models.ForeignKey(
        Persona,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="responsable",
    )
    cargo_responsable = models.CharField("cargo con el que firma", max_length=200, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.responsable_id and not self.cargo_responsable.strip():
            raise ValidationError(
                {"cargo_responsable": "Indique el cargo con el que firma el responsable."}
            )


class Ramo(Responsable):
    ejercicio = models.ForeignKey(
        Ejercicio, models.PROTECT, related_name="ramos", verbose_name="ejercicio"
    )
    clave = models.CharField("clave", max_length=10, validators=[digits])
    nombre = models.CharField("nombre", max_length=200)

    class Meta:
        verbose_name = "ramo"
        verbose_name_plural = "ramos"
        ordering = ["ejercicio", "clave"]
        constraints = [
            models.UniqueConstraint(
                fields=["ejercicio", "clave"],
                name="ramo_clave_unique_per_year",
                violation_error_message="Ya existe un ramo con esta clave en el ejercicio.",
            )
        ]

    def __str__(self):
        return f"{self.clave} {self.nombre}"


class Programa(Responsable):
    ramo = models.ForeignKey(Ramo, models.PROTECT, related_name="programas", verbose_name="ramo")
    clave = models.CharField("clave", max_length=10, validators=[digits])
    nombre = models.CharField("nombre", max_length=200)

    class Meta:
        verbose_name = "programa"
        verbose_name_plural = "programas"
        ordering = ["ramo", "clave"]
        constraints = [
            models.UniqueConstraint(
                fields=["ramo", "clave"],
                name="programa_clave_unique_per_ramo",
                violation_error_message="Ya existe un programa con esta clave en el ramo.",
            )
        ]

    def __str__(self):
        return f"{self.clave} {self.nombre}"


# What a unit's sheet, report and emails need beside the unit: its year, its signatories and
# its annual programming (whose approval opens the capture).
SIGNER_PATHS = (
    "ramo__ejercicio",
    "ramo__responsable",
    "programa__responsable",
    "responsable",
    "programacion",
)


class UnidadEjecutoraQuerySet(models.QuerySet):
    def with_signers(self):
        return self.select_related(*SIGNER_PATHS)


class UnidadEjecutora(Responsable):
    # The ramo is kept on the unit so that its code is unique within the ramo in the database;
    # clean() checks it agrees with the programa's.
    ramo = models.ForeignKey(Ramo, models.PROTECT, related_name="unidades", verbose_name="ramo")
    programa = models.ForeignKey(
        Programa, models.PROTECT, related_name="unidades", verbose_name="programa"
    )
    subfuncion = models.ForeignKey(
        Subfuncion, models.PROTECT, related_name="+", verbose_name="subfunción"
    )
    clave = models.CharField("clave", max_length=10, validators=[digits])
    nombre = models.CharField("nombre", max_length=200)
    capturistas = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="unidades_captura",
        verbose_name="capturistas",
        help_text="Usuarios que capturan lo alcanzado de esta unidad.",
    )

    objects = UnidadEjecutoraQuerySet.as_manager()

    class Meta:
        verbose_name = "unidad ejecutora"
        verbose_name_plural = "unidades ejecutoras"
        ordering = ["ramo", "clave"]
        constraints = [
            models.UniqueConstraint(
                fields=["ramo", "clave"],
                name="ue_clave_unique_per_ramo",
                violation_error_message="Ya existe una unidad ejecutora con esta clave en el ramo.",
            )
        ]

    def __str__(self):
        return f"{self.clave} {self.nombre}"

    def clean(self):
        super().clean()
        if self.programa_id and self.ramo_id and self.programa.ramo_id != self.ramo_id:
            raise ValidationError({"programa": "El programa debe pertenecer al mismo ramo."})

    @property
    def ejercicio(self):
        return self.ramo.ejercicio


class LineaAccion(models.Model):
    """A line of action of the Plan Municipal de Desarrollo (eje.estrategia.línea)."""

    ejercicio = models.ForeignKey(
        Ejercicio, models.PROTECT, related_name="lineas_accion", verbose_name="ejercicio"
    )
    clave = models.CharField("clave", max_length=20, validators=[dotted])
    nombre = models.CharField("nombre", max_length=300)

    class Meta:
        verbose_name = "línea de acción"
        verbose_name_plural = "líneas de acción"
        ordering = ["ejercicio", "clave"]
        constraints = [
            models.UniqueConstraint(
                fields=["ejercicio", "clave"],
                name="linea_clave_unique_per_year",
                violation_error_message="Ya existe una línea de acción con esta clave en el "
                "ejercicio.",
            )
        ]

    def __str__(self):
        return f"{self.clave} {self.nombre}"


class UnidadMedida(models.Model):
    nombre = models.CharField("nombre", max_length=100, unique=True)
    admite_decimales = models.BooleanField(
        "admite decimales",
        default=False,
        help_text="Si se marca, las cifras admiten hasta dos decimales; si no, solo enteros.",
    )
    # A unit may propose a new unit of measure while drafting; planeación accepts it before
    # approving a programming that uses it.
    aceptada = models.BooleanField("aceptada", default=True)
    propuesta_por = models.ForeignKey(
        "UnidadEjecutora",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="propuesta por",
    )

    class Meta:
        verbose_name = "unidad de medida"
        verbose_name_plural = "unidades de medida"
        ordering = ["nombre"]

    def __str__(self):
        return self.nombre
