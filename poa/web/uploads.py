"""How uploads are read. Evidence files go to a temporary file on disk in chunks as they
arrive (never whole in memory, however small) and are dropped as soon as one passes the
per-file limit. The PDF a citizen checks against its seal and the e.firma files a signer signs
with stay in memory only and are never written to a temporary file (Django writes uploads over
FILE_UPLOAD_MAX_MEMORY_SIZE to one): a view installs InMemoryUpload before it reads the body
(`in_memory_uploads`), which means it is exempt from the CSRF middleware, that would read the
body first, and checks CSRF itself."""

from functools import wraps

from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    SkipFile,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class EvidenceUploadHandler(TemporaryFileUploadHandler):
    """Streams every file to disk; `too_large` keeps the names of those skipped for passing
    `limit` bytes."""

    def __init__(self, request=None, *, limit):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large.append(self.file_name)
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


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
