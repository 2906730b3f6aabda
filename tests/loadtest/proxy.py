"""nginx in front of gunicorn during the load test, configured as production is: the README's
nginx block (section «nginx con TLS»), with its limits on /transparencia/ and /verificar/
and its Spanish 429 page, rendered for plain HTTP on the loopback. Every client of the load
test goes through it, so the public limits act before gunicorn, where they act in
production. Without nginx on the machine the clients talk to gunicorn directly (`front`
yields gunicorn's own address then)."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PRODUCTION_ROOT = "/srv/poa"  # where the README's block finds the repository's static/


def binary():
    """The path of nginx, or None (Debian keeps it in /usr/sbin, out of a user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def readme_block(readme=README) -> str:
    """The ```nginx block of the README's «nginx con TLS» section."""
    text = readme.read_text()
    section = text[text.index("### nginx con TLS") :]
    return re.search(r"```nginx\n(.*?)```", section, re.S)[1]


def render(block, *, port, upstream, folder) -> str:
    """A whole nginx.conf for the load test: the README's block on http://127.0.0.1:`port`
    in front of gunicorn at 127.0.0.1:`upstream`, its files in `folder`, in the foreground."""
    site = re.sub(r"server 127\.0\.0\.1:\d+;", f"server 127.0.0.1:{upstream};", block)
    # No TLS on the loopback: the redirecting server goes, the other listens in plain HTTP.
    site = re.sub(r"server \{\n\s*listen 80;.*?\n\}\n", "", site, flags=re.S)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    site = "".join(line for line in site.splitlines(True) if not line.strip().startswith("ssl_"))
    site = site.replace(PRODUCTION_ROOT, str(ROOT))
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would run as nobody, who cannot enter the private temp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ text/html html; text/css css; }}
    default_type application/octet-stream;
{temp}
{site}}}
"""


@contextlib.contextmanager
def front(upstream, folder, *, say=print):
    """Yields (host, port) the clients should talk to: nginx's, started in front of gunicorn
    at 127.0.0.1:`upstream` and stopped at the end, or gunicorn's when there is no nginx."""
    nginx = binary()
    if nginx is None:
        say("Sin nginx: los clientes hablan directo con gunicorn (apt-get install nginx).")
        yield ("127.0.0.1", upstream)
        return
    folder = Path(folder) / "nginx"
    folder.mkdir(exist_ok=True)
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(render(readme_block(), port=port, upstream=upstream, folder=folder))
    log = open(folder / "output.log", "w")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(command(nginx, config, folder), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(process, port, folder)
        yield ("127.0.0.1", port)
        say(f"nginx gastó {cpu_seconds(process.pid):,.1f} s de CPU en toda la prueba.")
    finally:
        stop(process)
        log.close()


def command(nginx, config, folder, *options):
    """nginx on `config`, its prefix and first error log in `folder` (not /var/log, which a
    user other than root may not write)."""
    return [nginx, *options, "-c", str(config), "-p", str(folder), "-e", f"{folder}/error.log"]


def wait_until_listening(process, port, folder):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx terminó al arrancar; vea {folder}/error.log")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nginx no escuchó en 15 s; vea {folder}/error.log")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT)  # graceful: requests under way finish
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(master):
    """CPU seconds of nginx's master and workers so far."""
    total = 0
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == master or int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install():
    """As root on Debian, installs nginx when it is missing, as the load test does with
    PostgreSQL; the load test runs an nginx of its own, whatever the package's service does."""
    if binary() or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], env=environment, check=False)
