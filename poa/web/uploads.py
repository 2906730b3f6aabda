"""How an evidence upload is read: each file goes to a temporary file on disk in chunks as it
arrives (never whole in memory, however small), and is dropped as soon as it passes the
per-file limit, so that a huge file fills neither memory nor the disk."""

from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler


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
