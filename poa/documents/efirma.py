"""The e.firma (firma electrónica avanzada) of a signer, and the PAdES signatures it makes on a
sheet's PDF with pyHanko.

A signer brings their certificate (.cer, DER X.509) and private key (.key, PKCS#8 DER
encrypted with their password), as the SAT issues them, or one PKCS#12 (.p12/.pfx) with both.
`credentials_load` opens them with the password; `credentials_check` refuses, in Spanish, a key
that is not the certificate's, a certificate outside its validity, one issued to someone else
or by an authority not trusted (POA_FIRMA_RAICES). `sign` adds one incremental signature to
the PDF's bytes, so that earlier signatures stay valid. Keys and passwords live in the
objects of one request only: nothing here writes, logs or caches them."""

import asyncio
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID, ObjectIdentifier
from django.conf import settings
from django.contrib.staticfiles import finders
from fontTools import subset, ttLib
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

# The SAT writes the holder's RFC in x500UniqueIdentifier ("RFC / RFC del representante") and
# the CURP in serialNumber.
RFC_OID = ObjectIdentifier("2.5.4.45")
# X.520 makes x500UniqueIdentifier a BIT STRING; the SAT writes it as a string, which asn1crypto
# (under pyHanko) then fails to read. Read as the SAT writes it.
asn1_x509.NameTypeAndValue._oid_specs["unique_identifier"] = asn1_x509.DirectoryString
# The signature fields, one per block of the sheet, in the order of the blocks.
FIELDS = {"ELABORÓ": "ELABORO", "REVISÓ": "REVISO", "AUTORIZÓ": "AUTORIZO"}
STAMP_FONT = "poa/fonts/LiberationSans-Regular.ttf"


class CredentialsError(ValueError):
    """The e.firma could not be used; the message says why, in Spanish."""


@dataclass(frozen=True)
class Credentials:
    """A certificate and its private key, opened for one request."""

    certificate: x509.Certificate
    private_key: object
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def serial(self) -> str:
        return certificate_serial(self.certificate)

    @property
    def issuer(self) -> str:
        return _name_text(self.certificate.issuer)

    @property
    def holder(self) -> str:
        return _name_text(self.certificate.subject)


def certificate_serial(certificate) -> str:
    """The serial as the SAT prints it: its bytes are ASCII digits (00001000000504465028);
    other authorities' serials in hexadecimal."""
    raw = certificate.serial_number.to_bytes((certificate.serial_number.bit_length() + 7) // 8)
    text = raw.decode("ascii", "replace")
    return text if text.isdigit() else format(certificate.serial_number, "X")


def _name_text(name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    organization = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    chosen = common or organization
    return chosen[0].value if chosen else name.rfc4514_string()


# Opening -------------------------------------------------------------------------------------

WRONG_PASSWORD = "La contraseña no abre la llave privada de su e.firma."


def credentials_load(*, cer=None, key=None, p12=None, password="") -> Credentials:
    """Opens the e.firma from the files' bytes and the password, or refuses in Spanish."""
    secret = password.encode()
    if p12:
        return _from_p12(p12, secret)
    if not (cer and key):
        raise CredentialsError(
            "Adjunte el certificado (.cer) y la llave privada (.key) de su e.firma, o un "
            "archivo .p12/.pfx con ambos."
        )
    certificate = _certificate(cer)
    try:
        private_key = serialization.load_der_private_key(key, password=secret or None)
    except (ValueError, TypeError):
        private_key = _pem_key(key, secret)
    return Credentials(certificate, private_key)


def _certificate(data):
    for load in (x509.load_der_x509_certificate, x509.load_pem_x509_certificate):
        try:
            return load(data)
        except ValueError:
            continue
    raise CredentialsError("El archivo .cer no es un certificado (X.509).")


def _pem_key(data, secret):
    try:
        return serialization.load_pem_private_key(data, password=secret or None)
    except (ValueError, TypeError):
        raise CredentialsError(WRONG_PASSWORD) from None


def _from_p12(data, secret):
    try:
        private_key, certificate, chain = pkcs12.load_key_and_certificates(data, secret or None)
    except (ValueError, TypeError):
        raise CredentialsError(
            "La contraseña no abre el archivo .p12/.pfx, o el archivo no es de una e.firma."
        ) from None
    if private_key is None or certificate is None:
        raise CredentialsError("El archivo .p12/.pfx no trae el certificado y su llave.")
    return Credentials(certificate, private_key, tuple(chain))


# Checking ------------------------------------------------------------------------------------


def credentials_check(credentials, *, nombre, rfc, now):
    """Refuses, in Spanish, a key that is not the certificate's, a certificate outside its
    validity at `now`, one whose holder is not the signer (their RFC when `rfc` is given,
    their name otherwise) and one not issued by a trusted authority."""
    certificate = credentials.certificate
    if _public(credentials.private_key.public_key()) != _public(certificate.public_key()):
        raise CredentialsError("La llave privada no corresponde al certificado.")
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        until = certificate.not_valid_after_utc.strftime("%d/%m/%Y")
        since = certificate.not_valid_before_utc.strftime("%d/%m/%Y")
        raise CredentialsError(f"El certificado no está vigente: vale del {since} al {until}.")
    _check_holder(certificate, nombre=nombre, rfc=rfc)
    _check_trusted(credentials, now)


def _public(key):
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def certificate_rfc(certificate) -> str:
    values = certificate.subject.get_attributes_for_oid(RFC_OID)
    return values[0].value.split("/")[0].strip().upper() if values else ""


def _check_holder(certificate, *, nombre, rfc):
    holder = _name_text(certificate.subject)
    if rfc:
        if certificate_rfc(certificate) != rfc.strip().upper():
            raise CredentialsError(
                f"El certificado es de {holder} ({certificate_rfc(certificate) or 'sin RFC'}), "
                f"no de quien firma (RFC {rfc})."
            )
    elif _plain_name(holder) != _plain_name(nombre):
        raise CredentialsError(f"El certificado es de {holder}, no de {nombre}.")


def _plain_name(name) -> str:
    """LIC. AARÓN ALEXIS ÁLVAREZ MARÍN → AARON ALEXIS ALVAREZ MARIN: without accents, titles
    (words ending in a period) or punctuation."""
    name = unicodedata.normalize("NFKD", name.upper())
    name = "".join(char for char in name if not unicodedata.combining(char))
    words = [word for word in name.split() if not word.endswith(".")]
    return " ".join(re.sub(r"[^A-Z0-9Ñ ]", "", " ".join(words)).split())


def _check_trusted(credentials, now):
    roots = trust_roots()
    if not roots:
        raise CredentialsError(
            "POA no tiene autoridades certificadoras de confianza configuradas "
            "(POA_FIRMA_RAICES): avise a sistemas."
        )
    context = ValidationContext(
        trust_roots=roots,
        other_certs=[_asn1(cert) for cert in credentials.chain],
        moment=now,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(_asn1(credentials.certificate), validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage(set()))
    except (PathBuildingError, PathValidationError):
        raise CredentialsError(
            f"El certificado no fue emitido por una autoridad de confianza para POA (lo emitió "
            f"{credentials.issuer})."
        ) from None


def _asn1(certificate):
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def trust_roots():
    """The certificates of POA_FIRMA_RAICES (a folder of .cer/.crt/.pem), read once per change
    of the folder."""
    folder = Path(settings.POA_FIRMA_RAICES) if settings.POA_FIRMA_RAICES else None
    if folder is None or not folder.is_dir():
        return []
    files = sorted(folder.glob("*"))
    return _roots(tuple((str(path), path.stat().st_mtime) for path in files if path.is_file()))


@lru_cache(maxsize=4)
def _roots(files):
    roots = []
    for path, _ in files:
        try:
            roots.append(_asn1(_certificate(Path(path).read_bytes())))
        except CredentialsError:
            continue  # not a certificate: a README or the like beside them
    return roots


# Signing -------------------------------------------------------------------------------------


def prepare(content: bytes, boxes) -> IncrementalPdfFileWriter:
    """A writer over the rendered sheet with one empty signature field per block: `boxes`
    gives, by label, (page, x1, y1, x2, y2) in PDF points (poa.documents.pdf.render_signable),
    so that each later signature only fills its own field."""
    writer = IncrementalPdfFileWriter(io.BytesIO(content))
    for label, (page, *rectangle) in boxes.items():
        spec = fields.SigFieldSpec(sig_field_name=FIELDS[label], on_page=page, box=rectangle)
        fields.append_signature_field(writer, spec)
    return writer


def sign(content, credentials, *, label, signer_name, reason, signed_at, boxes=None) -> bytes:
    """The PDF with one more incremental PAdES signature in the block `label`. With `boxes`
    (the first signature on a freshly rendered sheet) the three empty fields are added first."""
    writer = prepare(content, boxes) if boxes else IncrementalPdfFileWriter(io.BytesIO(content))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELDS[label],
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer_name,
        reason=reason,
        location=settings.POA_SITE_URL,
    )
    pdf_signer = signers.PdfSigner(metadata, signer=_signer(credentials), stamp_style=_stamp())
    stamp_text = {
        "signer": signer_name,
        "serial": credentials.serial,
        "issuer": credentials.issuer,
        "when": signed_at.strftime("%d/%m/%Y %H:%M"),
    }
    output = pdf_signer.sign_pdf(
        writer,
        existing_fields_only=True,
        bytes_reserved=SIGNATURE_BYTES,
        appearance_text_params=stamp_text,
    )
    return output.getvalue()


# Room for the CMS signature: the certificate, its authority and an RSA-4096 signature fit
# with room to spare; fixed, so that pyHanko does not sign twice to measure it.
SIGNATURE_BYTES = 10 * 1024


class _KeySigner(signers.SimpleSigner):
    """pyHanko's signer with the key already opened (its own re-reads the key for every
    operation, which costs a key check each time)."""

    def __init__(self, private_key, **kwargs):
        super().__init__(**kwargs)
        self.private_key = private_key

    def sign_raw(self, data, digest_algorithm):
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15" and isinstance(self.private_key, RSAPrivateKey):
            return self.private_key.sign(
                data, PKCS1v15(), getattr(hashes, digest_algorithm.upper())()
            )
        return super().sign_raw(data, digest_algorithm)


def _signer(credentials):
    der_key = credentials.private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    certificate = _asn1(credentials.certificate)
    # The issuing authority travels in the signature, for readers who trust it.
    issuers = [root for root in trust_roots() if root.subject == certificate.issuer]
    chain = [_asn1(cert) for cert in credentials.chain] + issuers
    return _KeySigner(
        credentials.private_key,
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


class _StampFont(GlyphAccumulatorFactory):
    """Liberation Sans embedded in each signature's appearance (PDF/A embeds every font),
    from a copy cut down once per process to the Latin letters a stamp prints (subsetting the
    whole font for every signature would cost most of a second) and scaled to 1,000 units per
    em."""

    def create_font_engine(self, writer, obj_stream=None):
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_stamp_font()),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


STAMP_CHARACTERS = [*range(0x20, 0x7F), *range(0xA0, 0x180), 0x2013, 0x2014, 0x2019, 0x2026]


@lru_cache(maxsize=1)
def _stamp_font() -> bytes:
    font = ttLib.TTFont(finders.find(STAMP_FONT))
    options = subset.Options()
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=STAMP_CHARACTERS)
    subsetter.subset(font)
    # pyHanko writes the glyph widths in font units where PDF expects thousandths of an em:
    # right only for fonts of 1,000 units per em (Liberation Sans has 2,048).
    scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _stamp():
    font = _StampFont(font_file=STAMP_FONT, font_size=7)
    return TextStampStyle(
        stamp_text=(
            "Firmado con e.firma: %(signer)s\n"
            "Certificado %(serial)s · %(issuer)s\n"
            "%(when)s (hora de Mexicali)"
        ),
        text_box_style=TextBoxStyle(font=font, font_size=7, leading=8),
        border_width=0,
        background=None,
    )
