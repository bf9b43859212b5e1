"""Gunicorn configuration of the ``web`` container (``gunicorn -c deploy/gunicorn.conf.py``).

Every value can be tuned from the environment (``.env``); a malformed number stops start-up with
the same one-line French message as the Django settings.
"""

import os
import sys

from plie.env import EnvError, env_int, env_list

try:
    _port = env_int("PORT", 8000)
    _workers = env_int("GUNICORN_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 9))
    _threads = env_int("GUNICORN_THREADS", 1)
    # PDF and XLSX exports are built in the request when they are small: leave them time.
    _timeout = env_int("GUNICORN_TIMEOUT", 120)
    _forwarded_allow_ips = env_list("FORWARDED_ALLOW_IPS", ["*"])
except EnvError as error:
    sys.exit(f"Configuration invalide — {error}")

wsgi_app = "plie.wsgi:application"
bind = [f"0.0.0.0:{_port}"]
workers = _workers
threads = _threads
timeout = _timeout
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (WeasyPrint keeps fonts and images in memory).
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file lives in memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The container sits behind a reverse proxy (HTTPS) on a private network: trust its
# X-Forwarded-* headers. Restrict with FORWARDED_ALLOW_IPS=10.0.0.2,… when it is exposed.
forwarded_allow_ips = ",".join(_forwarded_allow_ips)
# No runtime control socket in a container (it would be written under $HOME).
control_socket_disable = True
accesslog = "-"
# The access log never carries a query string (%(U)s is the path alone, not %(r)s / %(q)s):
# a search or a filter may hold a name, a birth date or a phone number (docs/securite.md).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "-" "%(a)s" %(L)s'
errorlog = "-"
loglevel = "info"
