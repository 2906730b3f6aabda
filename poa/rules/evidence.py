"""What a file must be to back a meta's figure as evidence («medio de verificación»), judged by
its content, never by its name: the kinds POA knows, their signatures (the `filetype`
library), and the checks each kind needs before it is kept. Every refusal is a Spanish
sentence naming the file. No database here: poa.services.evidence keeps what passes.

Everything reads the file in small pieces: an upload is a file on disk, never a whole
bytes object in memory."""

import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

# The bytes `filetype` needs to recognise every signature it knows.
HEAD_BYTES = 8192
# An Office document may expand this many times its size once unzipped (XML compresses
# about ten to one); a ZIP that claims more is treated as a compression bomb, as is one of
# more members than any real document has.
OOXML_EXPANSION = 20
OOXML_MAX_MEMBERS = 2000
NAME_LENGTH = 150


class EvidenceRefused(Exception):
    """Why a file is not kept as evidence, in Spanish."""


@dataclass(frozen=True)
class Kind:
    code: str  # stored and in the setting: pdf
    label: str  # shown: PDF
    mime: str  # sent with the download
    extensions: tuple[str, ...]  # the first one names a file that came without it
    noun: str  # «no es un PDF»


KINDS = {
    kind.code: kind
    for kind in (
        Kind("pdf", "PDF", "application/pdf", (".pdf",), "un PDF"),
        Kind("jpg", "JPG", "image/jpeg", (".jpg", ".jpeg"), "una imagen JPG"),
        Kind("png", "PNG", "image/png", (".png",), "una imagen PNG"),
        Kind(
            "xlsx",
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            "un libro de Excel (XLSX)",
        ),
        Kind(
            "docx",
            "DOCX",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            "un documento de Word (DOCX)",
        ),
    )
}
# What `filetype` calls each signature we accept; a ZIP is looked into (OOXML).
SIGNATURES = {"pdf": "pdf", "jpg": "jpg", "png": "png"}
ZIP_SIGNATURES = {"zip", "docx", "xlsx"}
# The part every Office document has, and the one that says which kind it is.
OOXML_TYPES = "[Content_Types].xml"
OOXML_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}
# What a signature we refuse is, said to a person.
DANGEROUS = {
    "exe": "un programa ejecutable de Windows",
    "elf": "un programa ejecutable",
    "dmg": "un instalador de macOS",
    "swf": "una animación Flash",
    "rtf": "un documento RTF",
}


def kinds_text(codes) -> str:
    """PDF, JPG, PNG, XLSX o DOCX"""
    labels = [KINDS[code].label for code in codes]
    if len(labels) < 2:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} o {labels[-1]}"


def clean_name(name, kind) -> str:
    """The name a person gave the file, without folders or control characters, shortened,
    and ending in the extension of what it really is (foto.png stays; a PNG sent as
    foto.jpg is kept as foto.png)."""
    name = unicodedata.normalize("NFC", PurePath(str(name).replace("\\", "/")).name)
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip(" .") or "evidencia"
    stem, suffix = _split(name)
    if suffix.lower() not in kind.extensions:
        stem, suffix = name, kind.extensions[0]
    return stem[: NAME_LENGTH - len(suffix)].rstrip(" .") + suffix.lower()


def _split(name):
    path = PurePath(name)
    return path.stem, path.suffix


def judge(file, *, name, allowed) -> Kind:
    """The kind of `file` (an open binary file, read from its start) among the `allowed`
    codes, once its content passed the checks of its kind; EvidenceRefused otherwise."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    if not head:
        raise EvidenceRefused(f"«{name}» está vacío. No se guardó.")
    code = _recognised(file, head, name)
    if code not in allowed:
        raise EvidenceRefused(
            f"«{name}» es {KINDS[code].noun}, que no se admite como evidencia; se admiten "
            f"archivos {kinds_text(allowed)}. No se guardó."
        )
    if code in ("jpg", "png"):
        _check_image(file, name, code)
    file.seek(0)
    return KINDS[code]


def _recognised(file, head, name) -> str:
    guess = filetype.guess(head)
    extension = guess.extension if guess else None
    if extension in SIGNATURES:
        return SIGNATURES[extension]
    if extension in ZIP_SIGNATURES:
        return _ooxml_kind(file, name)
    raise EvidenceRefused(_not_admitted(name, extension, head))


def _not_admitted(name, extension, head) -> str:
    claimed = KINDS.get(_split(name)[1].lower().lstrip(".").replace("jpeg", "jpg"))
    what = f"no es {claimed.noun}" if claimed else "no es de un tipo admitido"
    found = DANGEROUS.get(extension) or _text_kind(head)
    if found:
        what += f": su contenido es {found}"
    elif extension:
        what += f": su contenido es un archivo {extension.upper()}"
    return f"«{name}» {what}. No se guardó."


def _text_kind(head) -> str | None:
    text = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text:
        return "un dibujo SVG, que puede llevar programas"
    if text.startswith((b"<!doctype html", b"<html", b"<script", b"<")):
        return "una página HTML o XML"
    if text.startswith((b"#!", b"mz")):
        return "un programa"
    return None


def _check_image(file, name, code):
    """The image's header must read as one, and its size in pixels must not be a
    decompression bomb (Pillow's own limit); the pixels themselves are never decoded."""
    expected = {"jpg": "JPEG", "png": "PNG"}[code]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                if image.format != expected:
                    raise UnidentifiedImageError
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EvidenceRefused(
            f"«{name}» es una imagen de demasiados pixeles (posible bomba de descompresión); "
            "No se guardó."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise EvidenceRefused(
            f"«{name}» no se puede leer como imagen {code.upper()}: está dañado o no lo es. "
            "No se guardó."
        ) from None


def _ooxml_kind(file, name) -> str:
    """docx or xlsx for an intact Office document; a ZIP that is not one, that expands past
    OOXML_EXPANSION times its size or holds too many members, that carries macros or whose
    members do not decompress to what it declares is refused."""
    size = file.seek(0, 2)
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            _check_bomb(members, size, name)
            code = _main_part(members, name)
            if archive.testzip() is not None:
                raise zipfile.BadZipFile
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise EvidenceRefused(
            f"«{name}» está dañado o protegido con contraseña: no se puede abrir como documento "
            "de Office. No se guardó."
        ) from None
    return code


def _check_bomb(members, size, name):
    if len(members) > OOXML_MAX_MEMBERS:
        raise EvidenceRefused(
            f"«{name}» contiene {len(members):,} archivos comprimidos, más de los "
            f"{OOXML_MAX_MEMBERS:,} de cualquier documento de Office (posible bomba de "
            "compresión). No se guardó."
        )
    expanded = sum(member.file_size for member in members)
    if expanded > OOXML_EXPANSION * max(size, 1024 * 1024):
        raise EvidenceRefused(
            f"«{name}» ocupa {filesizeformat(expanded)} al descomprimirse, "
            f"{expanded // max(size, 1):,} veces su tamaño (posible bomba de compresión). "
            "No se guardó."
        )


def _main_part(members, name) -> str:
    names = {member.filename for member in members}
    if any(part.lower().endswith("vbaproject.bin") for part in names):
        raise EvidenceRefused(
            f"«{name}» contiene macros. No se guardó: guárdelo sin macros (como .docx o .xlsx) "
            "y vuelva a adjuntarlo."
        )
    codes = [code for part, code in OOXML_MAIN_PARTS.items() if part in names]
    if OOXML_TYPES not in names or len(codes) != 1:
        raise EvidenceRefused(
            f"«{name}» es un archivo comprimido (ZIP), no un documento de Word o Excel. "
            "No se guardó."
        )
    return codes[0]


def size_refusal(*, name, size, limit) -> str | None:
    """Why a file of `size` bytes is too large, in Spanish; None when it fits."""
    if size <= limit:
        return None
    return (
        f"«{name}» pesa {filesizeformat(size)}; cada archivo de evidencia puede pesar hasta "
        f"{filesizeformat(limit)}. No se guardó."
    )


def total_refusal(*, name, total, limit) -> str | None:
    """Why adding a file would take the report's evidence past `limit`; None when it fits."""
    if total <= limit:
        return None
    return (
        f"Con «{name}» las evidencias del informe sumarían {filesizeformat(total)}; el máximo "
        f"por informe es {filesizeformat(limit)}. No se guardó."
    )


def lacking_message(numbers, quarter_label) -> str:
    """Why a report cannot be sent while planeación requires evidence and some metas that
    achieved something in the quarter have no file behind them."""
    listed = ", ".join(str(number) for number in numbers)
    if len(numbers) == 1:
        metas = f"la meta {listed} reporta un avance en {quarter_label} sin un archivo"
    else:
        metas = f"las metas {listed} reportan un avance en {quarter_label} sin un archivo"
    return (
        f"Falta evidencia: {metas} que lo respalde. Planeación pide al menos uno por cada meta "
        "con avance antes de firmar ELABORÓ; adjúntelo en la captura o en la página de la meta."
    )


def too_large_message(name, limit) -> str:
    """A file dropped while it arrived, for passing the per-file limit."""
    return (
        f"«{name}» pesa más de {filesizeformat(limit)}, el máximo por archivo de evidencia. "
        "No se guardó."
    )


def accept_attribute(codes) -> str:
    """The file chooser's hint: .pdf,.jpg,.jpeg,… (the content is judged all the same)."""
    return ",".join(extension for code in codes for extension in KINDS[code].extensions)
