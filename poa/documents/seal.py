"""What an authorized sheet's PDF prints of its seal: the folio, the short verification address
(<POA_SITE_URL>/verificar/<folio>/) and its QR code, drawn by segno as vector SVG."""

from dataclasses import dataclass
from functools import cached_property

import segno
from django.conf import settings
from django.urls import reverse

# M: a crease or a stamp over a corner still reads.
QR_ERROR = "m"


def verification_url(folio: str) -> str:
    """The public address of a folio: http://poa.mexicali.gob.mx/verificar/TMM-F004-…/"""
    return settings.POA_SITE_URL.rstrip("/") + reverse("poa:verify", args=[folio])


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)


@dataclass(frozen=True)
class SealMark:
    folio: str

    @property
    def url(self) -> str:
        return verification_url(self.folio)

    @cached_property
    def qr_svg(self) -> str:
        """The QR code of the address as inline SVG, one unit per module, sized by CSS."""
        return qr_code(self.url).svg_inline(scale=1, border=0, omitsize=True, svgclass="seal-qr")
