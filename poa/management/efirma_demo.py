"""Throw-away e.firma material for the demo and the tests, made with `cryptography`: a
certificate authority and certificates shaped like the SAT's (the holder's name, RFC in
x500UniqueIdentifier and CURP in serialNumber, a serial of ASCII digits), their private keys as
PKCS#8 DER encrypted with a password (.key) and PKCS#12 (.p12). Never for real signatures."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from poa.documents.efirma import RFC_OID

_serials = count(1)


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def cer(self) -> bytes:
        """The certificate as the SAT's .cer: DER."""
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def key_file(self, password: str) -> bytes:
        """The private key as the SAT's .key: PKCS#8 DER encrypted with the password."""
        return self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        )

    def p12(self, password: str, name="e.firma") -> bytes:
        return pkcs12.serialize_key_and_certificates(
            name.encode(),
            self.key,
            self.certificate,
            None,
            serialization.BestAvailableEncryption(password.encode()),
        )


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _serial(prefix):
    """20 ASCII digits as a number, as the SAT's serials are."""
    digits = f"{prefix}{next(_serials):0{20 - len(prefix)}d}"
    return int.from_bytes(digits.encode())


def make_authority(name="AC DE DEMOSTRACIÓN POA", *, days=3650) -> Issued:
    key = _key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "POA · solo para demostración"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(_serial("9"))
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def make_certificate(
    authority: Issued, *, name, rfc="", curp="", valid_from=None, valid_until=None
) -> Issued:
    """A signer's certificate issued by `authority`, valid a year from yesterday unless
    told."""
    key = _key()
    now = datetime.now(UTC)
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(x509.ObjectIdentifier("2.5.4.41"), name),  # name
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
    ]
    if rfc:
        attributes.append(x509.NameAttribute(RFC_OID, f"{rfc} / "))
    if curp:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"{curp} / "))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(_serial("3"))
        .not_valid_before(valid_from or now - timedelta(days=1))
        .not_valid_after(valid_until or now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(authority.key, hashes.SHA256())
    )
    return Issued(certificate, key)
