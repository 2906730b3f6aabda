"""gunicorn for POA (`make serve`, and the systemd unit in README): read from the environment.

POA_BIND           address to listen on (default 127.0.0.1:8000, behind the proxy)
POA_WORKERS        worker processes (default: one per core the server may use); each
                   renders PDFs, so count ~200 MB apiece
POA_THREADS        threads of each process (default 4): while one draws a PDF or waits for
                   the database, the others keep answering (make loadtest)
POA_BACKLOG        connections waiting for a free thread, all workers together (default 256);
                   past it the system refuses new ones
POA_TIMEOUT        seconds a worker may go silent before it is restarted (default 120: the
                   PDF of a whole ramo)
POA_WORKER_MAX_MB  a worker whose memory passes this many MB after a request ends gracefully
                   and a fresh one takes its place (default 500: about 1,000 PDFs
                   drawn, each leaving ~0.27 MB behind, over ~140 MB at start and up to
                   19 MiB per thread kept by Argon2id after logins; 0 never)
POA_MAX_REQUESTS   requests after which a worker is replaced anyway (default 0: never), with
                   a jitter of a tenth so that workers do not restart together
"""

import os
import random

bind = os.environ.get("POA_BIND", "127.0.0.1:8000")
# One process per core: on 2 shared cores, 2 × 4 threads served 28, 38 and 23 requests/s
# saturated at 49, 48 and 57 ms of CPU each, 3 × 4 served 23 and 24 at 60 and 51 ms (make
# loadtest SATURATE=1; within the noise, but the same way round, and with less memory).
workers = int(os.environ.get("POA_WORKERS") or len(os.sched_getaffinity(0)))
# More than one thread makes gunicorn use its gthread worker.
threads = int(os.environ.get("POA_THREADS", "4"))
# A worker takes a connection only when one of its threads is free: the others wait in the
# listen queue that every worker shares, for whichever frees a thread first, instead of
# queueing behind a PDF inside a busy worker. nginx talks HTTP/1.0 to gunicorn, one
# connection per request, so no thread is kept for an idle connection.
worker_connections = threads
keepalive = 0
backlog = int(os.environ.get("POA_BACKLOG", "256"))
timeout = int(os.environ.get("POA_TIMEOUT", "120"))
graceful_timeout = 30
max_requests = int(os.environ.get("POA_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
worker_max_mb = int(os.environ.get("POA_WORKER_MAX_MB", "500"))
# The app logs JSON lines on stdout; gunicorn's access lines go there too, as key=value.
accesslog = "-"
access_log_format = (
    'time=%(t)s client=%({x-forwarded-for}i)s method=%(m)s path="%(U)s" '
    "status=%(s)s bytes=%(B)s duration_ms=%(M)s"
)
errorlog = "-"


def memory_limit(limit_mb, rng=random):
    """This worker's limit in bytes: limit_mb plus up to a tenth more, drawn once per worker
    so that workers grown alike do not all restart at the same moment; None without one."""
    if limit_mb <= 0:
        return None
    return int(limit_mb * (1 + rng.uniform(0, 0.1)) * 1024 * 1024)


def over_limit(rss_bytes, limit_bytes):
    """Whether a worker of this resident size should end once its requests are answered."""
    return limit_bytes is not None and rss_bytes > limit_bytes


def resident_bytes():
    """This process's resident memory, from /proc (0 where there is none)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def post_fork(server, worker):
    worker.memory_limit = memory_limit(worker_max_mb)


def post_request(worker, req, environ, resp):
    """WeasyPrint's memory returns to the system only when its process ends: a worker past
    its limit stops taking connections, finishes what it holds and is replaced."""
    rss = resident_bytes()
    if worker.alive and over_limit(rss, getattr(worker, "memory_limit", None)):
        worker.log.info("Proceso %s con %d MB: se reemplaza", worker.pid, rss >> 20)
        worker.alive = False
