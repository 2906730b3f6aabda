"""The words a synthetic municipality is made of (poa.services.generate): fictional towns, subjects
of its dependencies with their CONAC subfunción, areas of their units, people's names and
positions, líneas of a development plan, and metas with their unit of measure and the shape
of their quarterly programming. Plain data, in the style of the reference sheet."""

from dataclasses import dataclass

MUNICIPIOS = (
    "SANTA ROSA DEL DESIERTO",
    "SAN ISIDRO DEL VALLE",
    "VILLA DE LAS PALMAS",
    "PUERTO ESCONDIDO DEL NORTE",
    "SAN MIGUEL DE LOS ÁLAMOS",
    "NUEVA ESPERANZA DEL RÍO",
)
LEGISLATURAS = ("XXV", "XXVI", "XXVII", "XXVIII")


@dataclass(frozen=True)
class Topic:
    """What a dependency attends: its name after the prefix, the same with its article (for
    programs: "PROMOCIÓN DE LA CULTURA"), its CONAC subfunción and its eje of the plan."""

    name: str
    article: str
    subfuncion: str
    eje: int


TOPICS = (
    Topic("DESARROLLO SOCIAL", "EL DESARROLLO SOCIAL", "222", 1),
    Topic("OBRAS PÚBLICAS", "LAS OBRAS PÚBLICAS", "221", 5),
    Topic("SERVICIOS PÚBLICOS", "LOS SERVICIOS PÚBLICOS", "226", 5),
    Topic("SEGURIDAD CIUDADANA", "LA SEGURIDAD CIUDADANA", "171", 3),
    Topic("PROTECCIÓN CIVIL", "LA PROTECCIÓN CIVIL", "172", 3),
    Topic("DESARROLLO ECONÓMICO", "EL DESARROLLO ECONÓMICO", "311", 2),
    Topic("CULTURA", "LA CULTURA", "242", 1),
    Topic("DEPORTE", "EL DEPORTE", "241", 1),
    Topic("MEDIO AMBIENTE", "EL MEDIO AMBIENTE", "214", 5),
    Topic("ADMINISTRACIÓN URBANA", "LA ADMINISTRACIÓN URBANA", "221", 5),
    Topic("TRANSPARENCIA", "LA TRANSPARENCIA", "184", 4),
    Topic("BIENESTAR FAMILIAR", "EL BIENESTAR FAMILIAR", "263", 1),
    Topic("LA JUVENTUD", "LA JUVENTUD", "268", 1),
    Topic("SALUD", "LA SALUD", "231", 1),
    Topic("VIVIENDA", "LA VIVIENDA", "225", 1),
    Topic("TURISMO", "EL TURISMO", "371", 2),
    Topic("MOVILIDAD", "LA MOVILIDAD", "351", 5),
    Topic("INNOVACIÓN", "LA INNOVACIÓN", "384", 2),
    Topic("ATENCIÓN CIUDADANA", "LA ATENCIÓN CIUDADANA", "181", 4),
    Topic("CATASTRO", "EL CATASTRO", "181", 4),
    Topic("EDUCACIÓN", "LA EDUCACIÓN", "256", 1),
    Topic("ALUMBRADO PÚBLICO", "EL ALUMBRADO PÚBLICO", "224", 5),
    Topic("AGUA Y SANEAMIENTO", "EL AGUA Y EL SANEAMIENTO", "213", 5),
    Topic("DESARROLLO RURAL", "EL DESARROLLO RURAL", "321", 2),
    Topic("LAS MUJERES", "LAS MUJERES", "268", 1),
    Topic("ASUNTOS JURÍDICOS", "LOS ASUNTOS JURÍDICOS", "135", 4),
    Topic("FINANZAS", "LAS FINANZAS PÚBLICAS", "152", 4),
    Topic("COMUNICACIÓN SOCIAL", "LA COMUNICACIÓN SOCIAL", "183", 4),
    Topic("PARTICIPACIÓN CIUDADANA", "LA PARTICIPACIÓN CIUDADANA", "222", 4),
    Topic("GOBIERNO DIGITAL", "EL GOBIERNO DIGITAL", "384", 4),
)
# The kinds of dependency, and the position of their head: (man, woman).
RAMO_HEAD_POSITIONS = {
    "SECRETARÍA DE": ("SECRETARIO", "SECRETARIA"),
    "DIRECCIÓN DE": ("DIRECTOR", "DIRECTORA"),
    "INSTITUTO MUNICIPAL DE": ("DIRECTOR GENERAL", "DIRECTORA GENERAL"),
    "COMISIÓN DE": ("DIRECTOR EJECUTIVO", "DIRECTORA EJECUTIVA"),
    "COORDINACIÓN DE": ("COORDINADOR GENERAL", "COORDINADORA GENERAL"),
    "PATRONATO DE": ("DIRECTOR", "DIRECTORA"),
}
RAMO_PREFIXES = tuple(RAMO_HEAD_POSITIONS)
# The first programa of every ramo, as in the reference (511 GESTIÓN ADMINISTRATIVA).
ADMIN_PROGRAM = ("511", "GESTIÓN ADMINISTRATIVA")
PROGRAM_VERBS = (
    "PROMOCIÓN DE",
    "FORTALECIMIENTO DE",
    "ATENCIÓN Y SEGUIMIENTO DE",
    "MEJORA DE",
    "IMPULSO A",
)
# Units: the first two of the first programa, then areas, then the town's delegaciones.
FIRST_UNITS = ("DIRECCIÓN", "DEPARTAMENTO ADMINISTRATIVO")
UNIT_KINDS = ("DEPARTAMENTO DE", "COORDINACIÓN DE", "JEFATURA DE")
AREAS = (
    "PLANEACIÓN",
    "PROGRAMAS ESPECIALES",
    "VINCULACIÓN",
    "SUPERVISIÓN",
    "PROYECTOS",
    "OPERACIÓN",
    "CONTROL Y SEGUIMIENTO",
    "COMUNICACIÓN",
    "ATENCIÓN CIUDADANA",
    "INFORMÁTICA",
    "RECURSOS HUMANOS",
    "ASUNTOS JURÍDICOS",
    "EVALUACIÓN",
    "CAPACITACIÓN",
    "ENLACE COMUNITARIO",
    "ESTADÍSTICA",
    "NORMATIVIDAD",
    "INSPECCIÓN",
    "MANTENIMIENTO",
    "GESTIÓN DE CALIDAD",
)

# People ------------------------------------------------------------------------------------

WOMEN = (
    "MARÍA FERNANDA",
    "ANA LUISA",
    "GABRIELA",
    "PATRICIA",
    "CLAUDIA",
    "VERÓNICA",
    "ALEJANDRA",
    "LETICIA",
    "ROSA ELENA",
    "MÓNICA",
    "ADRIANA",
    "KARLA",
    "SANDRA",
    "LAURA",
    "DIANA",
    "NORMA",
    "ELIZABETH",
    "SUSANA",
    "MARTHA",
    "CECILIA",
)
MEN = (
    "JOSÉ LUIS",
    "JUAN CARLOS",
    "FRANCISCO JAVIER",
    "MIGUEL ÁNGEL",
    "JESÚS",
    "RICARDO",
    "ALEJANDRO",
    "JORGE",
    "ROBERTO",
    "FERNANDO",
    "SERGIO",
    "ARTURO",
    "EDUARDO",
    "RAÚL",
    "HÉCTOR",
    "MARIO",
    "ÓSCAR",
    "VÍCTOR MANUEL",
    "GERARDO",
    "DANIEL",
)
SURNAMES = (
    "GARCÍA",
    "HERNÁNDEZ",
    "LÓPEZ",
    "MARTÍNEZ",
    "GONZÁLEZ",
    "RODRÍGUEZ",
    "PÉREZ",
    "SÁNCHEZ",
    "RAMÍREZ",
    "CRUZ",
    "FLORES",
    "GÓMEZ",
    "MORALES",
    "VÁZQUEZ",
    "REYES",
    "JIMÉNEZ",
    "TORRES",
    "DÍAZ",
    "GUTIÉRREZ",
    "RUIZ",
    "MENDOZA",
    "AGUILAR",
    "ORTIZ",
    "CASTILLO",
    "ROMERO",
    "ÁLVAREZ",
    "MORENO",
    "CHÁVEZ",
    "RIVERA",
    "JUÁREZ",
    "DOMÍNGUEZ",
    "HERRERA",
    "MEDINA",
    "CASTRO",
    "VARGAS",
    "GUZMÁN",
    "VELÁZQUEZ",
    "SALAZAR",
    "CONTRERAS",
    "ESTRADA",
    "CAMACHO",
    "NAVARRO",
    "CERVANTES",
    "OCHOA",
    "VALENZUELA",
    "ESPINOZA",
    "SOTO",
    "FÉLIX",
    "BELTRÁN",
    "LEYVA",
)
# Titles as printed before a signatory's name: (man, woman).
TITLES = (
    ("LIC.", "LIC."),
    ("ING.", "ING."),
    ("MTRO.", "MTRA."),
    ("C.P.", "C.P."),
    ("ARQ.", "ARQ."),
)
# Positions: (man, woman).
PROGRAM_HEAD_POSITIONS = (("COORDINADOR DE PROGRAMA", "COORDINADORA DE PROGRAMA"),)
UNIT_HEAD_POSITIONS = {
    "DIRECCIÓN": ("DIRECTOR", "DIRECTORA"),
    "DEPARTAMENTO": ("JEFE DE DEPARTAMENTO", "JEFA DE DEPARTAMENTO"),
    "COORDINACIÓN": ("COORDINADOR", "COORDINADORA"),
    "JEFATURA": ("JEFE DE ÁREA", "JEFA DE ÁREA"),
    "DELEGACIÓN": ("DELEGADO MUNICIPAL", "DELEGADA MUNICIPAL"),
}

# The plan: ejes, their estrategias and their líneas de acción (eje.estrategia.línea) ------

EJES = {
    1: "BIENESTAR Y DESARROLLO HUMANO",
    2: "ECONOMÍA PRÓSPERA",
    3: "CIUDAD SEGURA",
    4: "GOBIERNO EFICIENTE Y TRANSPARENTE",
    5: "CIUDAD SUSTENTABLE Y SERVICIOS DE CALIDAD",
}
LINE_VERBS = (
    "FORTALECER",
    "AMPLIAR",
    "MODERNIZAR",
    "IMPULSAR",
    "CONSOLIDAR",
    "MEJORAR",
)
LINE_OBJECTS = {
    1: (
        "LA ATENCIÓN A GRUPOS VULNERABLES",
        "LA OFERTA CULTURAL Y DEPORTIVA",
        "LOS SERVICIOS DE SALUD",
    ),
    2: ("LA ATRACCIÓN DE INVERSIONES", "EL EMPLEO FORMAL", "EL TURISMO REGIONAL"),
    3: ("LA PREVENCIÓN DEL DELITO", "LA CULTURA DE PROTECCIÓN CIVIL", "LA PROXIMIDAD POLICIAL"),
    4: (
        "LA MESURA EN EL EJERCICIO DE LOS RECURSOS PÚBLICOS",
        "LA TRANSPARENCIA Y RENDICIÓN DE CUENTAS",
        "LA PROFESIONALIZACIÓN DEL SERVICIO PÚBLICO",
    ),
    5: (
        "EL MANTENIMIENTO DE LA INFRAESTRUCTURA URBANA",
        "LA GESTIÓN INTEGRAL DE RESIDUOS",
        "EL ORDENAMIENTO TERRITORIAL",
    ),
}
LINES_PER_STRATEGY = 3

# Metas ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetaTemplate:
    """A kind of meta: its unit of measure, its description ({topic} is the ramo's subject in
    lower case), and either fixed quarterly figures or a range for the annual target."""

    unidad_medida: str
    descripcion: str
    programado: tuple = ()  # fixed P per quarter, e.g. (13, 13, 13, 13)
    annual: tuple = ()  # (lowest, highest) annual target when not fixed
    ejes: tuple = ()  # the ejes of the dependencies that have it; any when empty


# Units of measure the generator uses: (nombre, admite decimales). Existing ones are reused.
UNITS_OF_MEASURE = (
    ("INFORME", False),
    ("NÓMINA", False),
    ("SESIÓN", False),
    ("REUNIÓN", False),
    ("ACUSE", False),
    ("PADRÓN ACTUALIZADO", False),
    ("PROYECTO", False),
    ("DOCUMENTOS", False),
    ("SUMINISTROS", False),
    ("EMPRESA", False),
    ("PERSONA ATENDIDA", False),
    ("EVENTO", False),
    ("CURSO", False),
    ("SOLICITUD", False),
    ("INSPECCIÓN", False),
    ("CAMPAÑA", False),
    ("APOYO ENTREGADO", False),
    ("KILÓMETRO", True),
    ("TONELADA", True),
    ("METRO CUADRADO", True),
)

GENERIC_METAS = (
    MetaTemplate("INFORME", "Elaborar el informe trimestral de avance programático", (1, 1, 1, 1)),
    MetaTemplate("INFORME", "Presentar el informe anual de actividades al Cabildo", (0, 0, 0, 1)),
    MetaTemplate("NÓMINA", "Procesar la nómina semanal del personal de la dependencia", (13,) * 4),
    MetaTemplate("NÓMINA", "Procesar la nómina quincenal del personal eventual", (6, 6, 6, 6)),
    MetaTemplate(
        "SESIÓN",
        "Celebrar las sesiones ordinarias del consejo consultivo",
        annual=(4, 12),
    ),
    MetaTemplate(
        "REUNIÓN",
        "Realizar reuniones de coordinación con las áreas de la dependencia",
        annual=(8, 72),
    ),
    MetaTemplate(
        "ACUSE",
        "Entregar a Tesorería Municipal la información financiera en tiempo",
        (1, 1, 1, 1),
    ),
    MetaTemplate("PADRÓN ACTUALIZADO", "Actualizar el padrón de bienes muebles", (0, 1, 0, 1)),
    MetaTemplate(
        "SUMINISTROS",
        "Atender las requisiciones de materiales y suministros de las áreas",
        (3, 3, 3, 3),
    ),
    MetaTemplate(
        "DOCUMENTOS",
        "Digitalizar los expedientes del archivo de trámite",
        annual=(100, 2400),
    ),
    MetaTemplate(
        "PROYECTO",
        "Elaborar el anteproyecto de presupuesto del ejercicio siguiente",
        (0, 0, 1, 0),
    ),
    MetaTemplate("CURSO", "Capacitar al personal en procesos administrativos", annual=(2, 12)),
)
TOPIC_METAS = (
    MetaTemplate(
        "PERSONA ATENDIDA",
        "Brindar atención a la población en materia de {topic}",
        annual=(200, 6000),
    ),
    MetaTemplate(
        "EVENTO",
        "Organizar eventos públicos de difusión de {topic}",
        annual=(4, 40),
        ejes=(1, 2, 3),
    ),
    MetaTemplate("CURSO", "Impartir cursos y talleres comunitarios sobre {topic}", annual=(4, 48)),
    MetaTemplate(
        "SOLICITUD",
        "Atender las solicitudes ciudadanas en materia de {topic}",
        annual=(100, 3000),
    ),
    MetaTemplate(
        "INSPECCIÓN",
        "Realizar inspecciones y verificaciones de campo de {topic}",
        annual=(20, 600),
        ejes=(3, 4, 5),
    ),
    MetaTemplate(
        "CAMPAÑA",
        "Difundir campañas informativas sobre {topic} en medios y redes sociales",
        annual=(2, 12),
    ),
    MetaTemplate(
        "APOYO ENTREGADO",
        "Entregar apoyos a familias en situación vulnerable",
        annual=(50, 1500),
        ejes=(1,),
    ),
    MetaTemplate(
        "EMPRESA", "Vincular empresas locales con programas de {topic}", annual=(5, 60), ejes=(2,)
    ),
    MetaTemplate(
        "REUNIÓN",
        "Sesionar con organismos de la sociedad civil en materia de {topic}",
        annual=(4, 24),
    ),
    MetaTemplate(
        "KILÓMETRO",
        "Dar mantenimiento a vialidades y caminos vecinales",
        annual=(5, 300),
        ejes=(5,),
    ),
    MetaTemplate(
        "TONELADA",
        "Recolectar y disponer residuos sólidos de espacios públicos",
        annual=(50, 5000),
        ejes=(5,),
    ),
    MetaTemplate(
        "METRO CUADRADO",
        "Rehabilitar espacios públicos de convivencia",
        annual=(200, 20000),
        ejes=(5,),
    ),
)
# Where a meta's description repeats within a unit: what tells the two apart.
COMPLEMENTS = (
    "en la zona centro",
    "en la zona oriente",
    "en la zona poniente",
    "en el valle",
    "en la zona rural",
    "en colonias populares",
)
# How a year's P spreads over the quarters when only the annual target is fixed.
SEASONS = ((1, 1, 1, 1), (2, 3, 3, 2), (1, 2, 2, 1), (3, 3, 2, 1), (1, 1, 2, 3), (0, 1, 1, 1))

# What a unit writes when it achieved other than programmed.
BELOW_PLAN = (
    "Se reprogramaron actividades para el siguiente trimestre por falta de recursos.",
    "La demanda ciudadana fue menor a la estimada para el trimestre.",
    "Se suspendieron actividades por condiciones climáticas extremas.",
    "El proceso de contratación del servicio se retrasó.",
    "Algunas actividades dependían de otra dependencia que no las concluyó a tiempo.",
)
ABOVE_PLAN = (
    "La demanda ciudadana superó lo estimado para el trimestre.",
    "Se atendieron solicitudes adicionales de otras dependencias.",
    "Se adelantaron actividades programadas para el siguiente trimestre.",
    "Se contó con apoyo adicional de voluntarios y organismos civiles.",
)
UNPROGRAMMED_PLAN = "Se realizó por solicitud extraordinaria de la Presidencia Municipal."
# What the reviewer writes returning a report, and what the unit corrects.
RETURN_COMMENTS = (
    "Amplíe las observaciones de las metas con diferencias.",
    "Revise las cifras capturadas contra la evidencia del trimestre.",
    "Precise la causa de la variación en las observaciones.",
)
CORRECTION = "Se precisa la causa: "
PROGRAMMING_RETURN = "Revise la distribución trimestral de las metas antes de aprobarla."
