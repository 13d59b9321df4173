"""The production recipe, run for real: nginx (deploy/nginx/courtwatch.conf) in front of gunicorn
app hosts (deploy/gunicorn.conf.py), each with an instance folder of its own, on one database and
one Redis. Used by tests/test_two_hosts.py and bench/bench_two_hosts.py.

The recipe's files are used as they are, with only their host-specific parts swapped: ports,
the checkout's path, the certificate (made here, self-signed for localhost) and the log folder.
Each swapped string must be in the file, so the test breaks if the recipe drifts from it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import subprocess
import time
from pathlib import Path

import redis
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import TEST_MASTER_KEY
from tests.support.servers import ROOT, free_port, gunicorn_env

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    chain, private = folder / "fullchain.pem", folder / "privkey.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return chain, private


def _swap(text: str, old: str, new: str) -> str:
    if old not in text:
        raise AssertionError(f"deploy recipe no longer contains {old!r}: update tests/support/proxy.py with it")
    return text.replace(old, new)


def _wait(check, what: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"{what} exited: " + (process.stderr.read() if process.stderr else b"").decode()[-2000:]
            )
        try:
            if check():
                return
        except (requests.ConnectionError, requests.Timeout, redis.ConnectionError, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not start within {seconds} s")


class AppHost:
    """One gunicorn app host (deploy/gunicorn.conf.py) with an instance folder of its own."""

    def __init__(self, name: str, env: dict, folder: Path, workers: int):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = folder / f"instance-{name}"
        env = dict(
            env,
            COURTWATCH_INSTANCE_PATH=str(self.instance),
            COURTWATCH_UPLOAD_DIR=str(self.instance / "uploads"),
            COURTWATCH_BIND=f"127.0.0.1:{self.port}",
            COURTWATCH_WORKERS=str(workers),
        )
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self) -> None:
        _wait(lambda: requests.get(f"{self.url}/healthz", timeout=5).ok, f"app host {self.name}", self.process)


class Deployment:
    """nginx, N app hosts and Redis, as the README's production section sets them up."""

    def __init__(self, test_config: dict, folder: Path, hosts: int = 2, workers: int = 2):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.redis_port = free_port()
        self.redis = subprocess.Popen(
            [REDIS, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.processes.append(self.redis)
        env = gunicorn_env(test_config, folder / "unused")
        env.update(
            COURTWATCH_MASTER_KEY=TEST_MASTER_KEY,
            COURTWATCH_RATELIMIT_STORAGE_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            COURTWATCH_TRUSTED_PROXIES="1",
        )
        self.hosts = [AppHost(chr(ord("a") + n), env, folder, workers) for n in range(hosts)]
        self.processes += [host.process for host in self.hosts]
        self.https_port, self.http_port = free_port(), free_port()
        self.url = f"https://localhost:{self.https_port}"
        self.certificate, _key = make_certificate(folder / "tls")
        self.logs = folder / "logs"
        self.logs.mkdir()
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(self._write_nginx_conf()), "-e", str(self.logs / "startup.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.processes.append(self.nginx)

    def _write_nginx_conf(self) -> Path:
        site = (DEPLOY / "nginx" / "courtwatch.conf").read_text()
        upstreams = "\n".join(f"    server 127.0.0.1:{host.port} max_fails=3 fail_timeout=10s;" for host in self.hosts)
        site = _swap(
            site,
            "    server 127.0.0.1:8001 max_fails=3 fail_timeout=10s;\n    server 127.0.0.1:8002 max_fails=3 fail_timeout=10s;",
            upstreams,
        )
        site = _swap(site, "listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = _swap(site, "listen 443 ssl;", f"listen 127.0.0.1:{self.https_port} ssl;")
        site = _swap(site, "/etc/ssl/courtwatch/", f"{self.folder / 'tls'}/")
        site = _swap(site, "/var/log/nginx/", f"{self.logs}/")
        site = _swap(
            site, "/srv/courtwatch/deploy/nginx/courtwatch-proxy.conf", str(DEPLOY / "nginx" / "courtwatch-proxy.conf")
        )
        site = _swap(site, "/srv/courtwatch/courtwatch/static", str(ROOT / "courtwatch" / "static"))
        (self.folder / "courtwatch.conf").write_text(site)
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / temp).mkdir()
        # What Debian's /etc/nginx/nginx.conf provides around conf.d/, for a server run from a folder.
        main = self.folder / "nginx.conf"
        main.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"""daemon off;
worker_processes 2;
pid {self.folder}/nginx.pid;
error_log {self.logs}/error.log warn;
events {{ worker_connections 512; }}
http {{
    sendfile on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {self.folder}/body;
    proxy_temp_path {self.folder}/proxy;
    fastcgi_temp_path {self.folder}/fastcgi;
    uwsgi_temp_path {self.folder}/uwsgi;
    scgi_temp_path {self.folder}/scgi;
    include {self.folder}/courtwatch.conf;
}}
"""
        )
        return main

    def session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.certificate)
        return session

    def wait_ready(self) -> None:
        _wait(lambda: redis.Redis(port=self.redis_port, socket_timeout=1).ping(), "redis", self.redis)
        for host in self.hosts:
            host.wait_ready()
        _wait(lambda: self.session().get(f"{self.url}/healthz", timeout=5).ok, "nginx", self.nginx)

    def access_log(self) -> str:
        path = self.logs / "courtwatch-access.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
