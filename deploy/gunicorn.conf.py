"""gunicorn settings for one Courtwatch app host behind nginx (deploy/nginx/courtwatch.conf).

Sync workers are enough because nginx buffers every request body and every response except
exports: a worker only ever talks to nginx on the loopback or the private network, never to a
slow phone. COURTWATCH_BIND and COURTWATCH_WORKERS come from the host's environment file.
"""

import multiprocessing
import os

bind = os.environ.get("COURTWATCH_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("COURTWATCH_WORKERS", str(multiprocessing.cpu_count() * 2)))
worker_class = "sync"
timeout = 120  # nginx's proxy_read_timeout: a large import commits within it
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to the app hosts open (upstream keepalive)
# Only nginx's X-Forwarded-* are believed (the app itself applies TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("COURTWATCH_PROXY_ADDRESSES", "127.0.0.1")
accesslog = None  # nginx keeps the access log, without client addresses
errorlog = "-"
