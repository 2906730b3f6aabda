"""How passwords are kept: Argon2id with the parameters OWASP gives as its first choice
(19 MiB of memory, 2 passes, 1 lane). Checking one costs about 25 ms of CPU where Django's
PBKDF2 of 1,000,000 iterations costs about 240 ms, so a whole office logging in at once at the
start of a deadline afternoon does not hold the server for seconds; a guess still costs an
attacker 19 MiB of memory each. Hashes kept with PBKDF2 (or Django's own Argon2 parameters)
keep working and are rewritten with these at the next login."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
