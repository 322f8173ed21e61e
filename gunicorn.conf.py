"""gunicorn settings for newsdex: ``NEWSDEX_INDEX_DIR=index gunicorn -c gunicorn.conf.py``.

Chosen for the 2-core machine the project runs on. gunicorn's own flags win over this file
(``--bind 0.0.0.0:8080``, ``--workers 4``), as does ``GUNICORN_CMD_ARGS``.
"""

import os

# Loopback only by default: put a reverse proxy in front to serve other machines.
bind = "127.0.0.1:8000"

# A search is CPU-bound Python and each worker's engine answers one search at a time (it
# holds a lock), so throughput comes from processes: one per core plus one, so a core never
# idles while another worker is between requests. Every worker opens the index itself.
workers = (os.cpu_count() or 1) + 1

# A few threads per worker only keep idle keep-alive connections and slow clients from
# occupying a whole worker; they add no search throughput.
worker_class = "gthread"
threads = 4
keepalive = 5

# Searches take milliseconds; a request still running after 30 s is stuck. Workers finish
# what they are doing for up to 10 s on a restart or shutdown.
timeout = 30
graceful_timeout = 10

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
wsgi_app = "web:create_app()"
