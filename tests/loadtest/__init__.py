"""The load test (`make loadtest`, python -m tests.loadtest): a generated municipality of 50
units served by gunicorn as in production, on PostgreSQL; 50 capturistas (five units with
two) log in and save their grids again and again while 5 reviewers read seguimiento, sheets
and PDFs and 20 crawlers, each from its own address, follow every link of /transparencia/
without pause (the public rate limit answers them 429 past its limit). Everybody goes
through nginx with the README's limits, as in production; the crawlers run in a process of
their own at the lowest priority, as they would run on other machines. It prints requests
per second and p50/p95/max by kind of request, then checks every acknowledged save against
the database (tests.loadtest.verify) and that every old version sent on purpose was refused.
LOADTEST_SATURATE=1 (`make loadtest SATURATE=1`): the same people all logging in at once and
never pausing, with targets of their own.

client.py    the simulated people, over HTTP; what the server acknowledged (Ledger)
data.py      the database side: the municipality and the plan, the snapshot afterwards
verify.py    the invariants the database must satisfy after the load
proxy.py     nginx in front of gunicorn, configured from the README's nginx block
crawlers.py  the crawlers' own process (nice 19), reporting back to the client's Stats
runner.py    one run on a database URL: migrate, prepare, serve, load, stop, verify, report
__main__.py  the throw-away PostgreSQL database and the exit status
"""
