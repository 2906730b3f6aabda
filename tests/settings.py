"""The settings the suite runs with: production's (DEBUG off, secure cookies, CSP, login
throttling), plus the key a server would get from its environment and plain HTTP, since the
test client and the live server speak it. Subprocesses started by tests inherit both."""

import os

os.environ.setdefault("SECRET_KEY", "pruebas-" + "x" * 50)
os.environ.setdefault("POA_SSL_REDIRECT", "0")

from poa.settings import *  # noqa: E402, F403

# Production hashes a password in about a third of a second; the suite makes and signs in
# thousands of accounts, and guards no secret (Django's advice for tests).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite asks the public pages far more often than any visitor, from one address: the
# rate limit is off here, and tests/test_public_gate.py turns it on.
POA_PUBLIC_REQUESTS = 0
