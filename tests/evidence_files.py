"""Files a unit might attach as evidence, good and malicious, made in the test itself."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.'
    'org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Lista de asistencia</w:t></w:r>'
    "</w:p></w:body></w:document>"
)


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name="informe.pdf"):
    return upload(name, PDF, "application/pdf")


def image(name="foto.jpg", kind="JPEG", size=(32, 24)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, kind)
    return upload(name, buffer.getvalue())


def xlsx(name="asistencia.xlsx"):
    workbook = Workbook()
    workbook.active["A1"] = "Asistentes"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return upload(name, buffer.getvalue())


def zipped(members, name, *, first=None):
    """A ZIP of {member: bytes, or (chunk, times) written piece by piece}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            if isinstance(content, tuple):
                chunk, times = content
                with archive.open(member, "w", force_zip64=True) as out:
                    for _ in range(times):
                        out.write(chunk)
            else:
                archive.writestr(member, content)
    return upload(name, buffer.getvalue())


def docx(name="minuta.docx"):
    return zipped({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": DOCUMENT}, name)


def _bomb():
    zeros = b"\0" * (1024 * 1024)
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": (zeros, 100)}
    return zipped(members, "minuta.docx")


def _many_members():
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": DOCUMENT}
    members |= {f"word/media/{i}.xml": "" for i in range(2100)}
    return zipped(members, "minuta.docx")


def _macros():
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": DOCUMENT}
    return zipped(members | {"word/vbaProject.bin": b"\0" * 64}, "minuta.docx")


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"

# What each malicious file is: how to make it, and words its refusal must say.
MALICIOUS = {
    "exe-as-pdf": (
        lambda: upload("informe.pdf", b"MZ\x90\x00\x03" + b"\0" * 600),
        "no es un PDF: su contenido es un programa ejecutable",
    ),
    "elf-as-pdf": (
        lambda: upload("acta.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 600),
        "no es un PDF: su contenido es un programa ejecutable",
    ),
    "html-as-jpg": (
        lambda: upload("foto.jpg", HTML),
        "no es una imagen JPG: su contenido es una página HTML",
    ),
    "svg-as-jpg": (
        lambda: upload("foto.jpg", SVG),
        "no es una imagen JPG: su contenido es un dibujo SVG",
    ),
    "bomb-as-docx": (_bomb, "posible bomba de compresión"),
    "many-members-as-docx": (_many_members, "posible bomba de compresión"),
    "zip-as-docx": (
        lambda: zipped({"datos.csv": "a,b\n1,2\n"}, "minuta.docx"),
        "no un documento de Word o Excel",
    ),
    "macros-in-docx": (_macros, "contiene macros"),
    "empty-pdf": (lambda: upload("vacio.pdf", b""), "está vacío"),
}
