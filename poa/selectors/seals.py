"""Reads of the seals of authorized sheets for the public verification (/verificar/<folio>/
and poa_verify): a seal by its folio, the seal whose SHA-256 a file has, and a report's seals
for its history. Nothing here is private: a seal holds only what was authorized."""

import hashlib

from poa.models import Seal

# The two answers to "is this PDF the authorized one?", on the page and in the terminal.
IDENTICAL = "Idéntico al documento autorizado"
NO_MATCH = "No coincide con ningún documento autorizado"


def seal_by_folio(folio) -> Seal | None:
    return Seal.objects.with_report().filter(folio=folio).first()


def seal_of_content(content: bytes) -> Seal | None:
    """The seal whose kept PDF has exactly these bytes; None when no authorized sheet does."""
    digest = hashlib.sha256(content).hexdigest()
    return Seal.objects.with_report().filter(sha256=digest).first()


def report_seals(report):
    """The report's seals, newest first, for its history."""
    if report.pk is None:
        return Seal.objects.none()
    return Seal.objects.filter(report=report).select_related("superseded_by").order_by("-revision")
