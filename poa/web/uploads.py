"""Uploads kept in memory only: the PDF a citizen checks against its seal and the e.firma
files a signer signs with are never written to a temporary file (Django writes uploads over
FILE_UPLOAD_MAX_MEMORY_SIZE to one). A view installs InMemoryUpload before it reads the body
(`in_memory_uploads`), which means it is exempt from the CSRF middleware, that would read the
body first, and checks CSRF itself."""

from functools import wraps

from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect

TOO_BIG = "upload_too_big"


class InMemoryUpload(MemoryFileUploadHandler):
    """Every file in memory, whatever its size, up to `max_bytes` in all; past that the upload
    stops and request.upload_too_big says so."""

    def __init__(self, request=None, max_bytes=0):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            setattr(self.request, TOO_BIG, True)
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def in_memory_uploads(max_bytes):
    """Decorates a view whose uploaded files stay in memory, up to `max_bytes` in all: past
    that nothing more is kept and too_big(request) is true, for the view to say so next to the
    field. CSRF is still checked (its token comes before the files in our forms)."""

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.upload_handlers = [InMemoryUpload(request, max_bytes)]
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


def too_big(request) -> bool:
    return getattr(request, TOO_BIG, False)
