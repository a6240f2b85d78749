"""gunicorn settings for HBMM behind nginx (deploy/systemd/hbmm-web.service).

Workers: 2 per core plus 1 is gunicorn's rule for a CPU-bound Django; the requests here wait
on PostgreSQL more than on the CPU. Each instance listens on its own port so that several can
run on one machine (hbmm-web@8001, hbmm-web@8002) or on several machines behind nginx.
"""

import multiprocessing
import os

bind = os.environ.get("HBMM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A report PDF or a large export may take a while; nginx waits 120 s (proxy_read_timeout).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# Recycle workers now and then (memory of a large export is given back).
max_requests = 2000
max_requests_jitter = 200
# Logs go to the journal (stdout/stderr): `journalctl -u hbmm-web@8000`.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = "127.0.0.1"
