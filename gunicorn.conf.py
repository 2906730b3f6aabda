"""gunicorn for POA (`make serve`, and the systemd unit in README): read from the environment.

POA_BIND     address to listen on (default 127.0.0.1:8000, behind the proxy)
POA_WORKERS  worker processes (default 3); each renders PDFs, so count ~150 MB apiece
POA_THREADS  threads of each process (default 4): while one draws a PDF or waits for the
             database, the others keep answering (make loadtest)
POA_TIMEOUT  seconds a request may take (default 120: the PDF of a whole ramo)
"""

import os

bind = os.environ.get("POA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("POA_WORKERS", "3"))
# More than one thread makes gunicorn use its gthread worker.
threads = int(os.environ.get("POA_THREADS", "4"))
timeout = int(os.environ.get("POA_TIMEOUT", "120"))
graceful_timeout = 30
# WeasyPrint's memory is returned to the system only when a worker exits.
max_requests = 500
max_requests_jitter = 50
# The app logs JSON lines on stdout; gunicorn's access lines go there too, as key=value.
accesslog = "-"
access_log_format = (
    'time=%(t)s client=%({x-forwarded-for}i)s method=%(m)s path="%(U)s" '
    "status=%(s)s bytes=%(B)s duration_ms=%(M)s"
)
errorlog = "-"
