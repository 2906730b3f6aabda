"""Background jobs, run by `manage.py db_worker` from the queue in the database (settings.TASKS):
the emails of the workflows, so a slow mail server never slows a signature; the PDF of a
sheet just authorized, kept once for every later download; and the ZIP of every sheet.

The services enqueue them when their transaction commits; each job receives primary keys
and reads what it needs afresh. A worker takes emails first and the ZIP, which keeps it busy
for minutes, last."""
