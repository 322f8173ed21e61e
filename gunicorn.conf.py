"""gunicorn settings for newsdex: ``NEWSDEX_INDEX_DIR=index gunicorn -c gunicorn.conf.py``.

Chosen for the 2-core machine the project runs on. gunicorn's own flags win over this file
(``--bind 0.0.0.0:8080``, ``--workers 4``), as does ``GUNICORN_CMD_ARGS``.
"""

import os

# Loopback only by default: put a reverse proxy in front to serve other machines.
bind = "127.0.0.1:8000"

# A search is CPU-bound Python, and one engine answers one search at a time, so throughput
# comes from processes. Sync workers, because with them gunicorn's timeout is real: a sync
# worker reports to the master only between requests, so one stuck in a request past
# `timeout` is killed and replaced (a gthread worker reports from its main thread while its
# request threads are stuck, so its timeout never fires). A busy sync worker also accepts no
# new connection, so a slow search never holds up a quick one behind it while another worker
# is idle. Two per core plus one, as gunicorn recommends. Sync workers close each connection
# after its response and are meant to sit behind a buffering proxy (nginx) for slow clients.
workers = 2 * (os.cpu_count() or 1) + 1
worker_class = "sync"

# Searches stop themselves after a fraction of a second (search/searching/budget.py); a request
# still running after 30 s is stuck, and its worker is killed. Workers finish what they are doing
# for up to 10 s on a restart or shutdown.
timeout = 30
graceful_timeout = 10

# No limit on the request line here (gunicorn's own 414 page is HTML without our headers):
# a pasted paragraph is a fair query. The app answers an over-long URL itself (web/errors.py).
limit_request_line = 0

# The app and its imports are loaded once in the master and shared copy-on-write; the index
# is opened lazily in each worker after the fork (web.search_index), never in the master.
preload_app = True

# Since 25.1 gunicorn opens a control socket under $HOME (or $XDG_RUNTIME_DIR) by default.
# Nothing here uses gunicornc, and a server should not write into a home directory: off.
control_socket_disable = True

# Errors to stderr; an access log only when asked (--access-logfile -).
errorlog = "-"
loglevel = "info"

proc_name = "newsdex"


def post_worker_init(worker):
    """Open the index in each new worker before it takes a request, so that no reader's
    first search pays for opening it (the engine opens later builds by itself)."""
    from web.search_index import get_engine

    with worker.wsgi.app_context():
        get_engine().health()


wsgi_app = "web:create_app()"
