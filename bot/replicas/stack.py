"""Starts the multi-replica mode on one machine, all on loopback: Redis, PostgreSQL, two Rasa
replicas each with its own action server, the web front, and HAProxy in front of them.

Used by `make replicas` (bot.replicas.__main__) and by the tests (tests/replicas), which kill,
freeze and restart its parts. Each part is a child process in its own session, logging to a
file in the run directory; nothing here is restarted automatically (in a cluster, that is the
orchestrator's job: deploy/).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.replicas.haproxy import ReplicaEdgeConfig, render_replicas
from bot.replicas.processes import PostgresServer, RedisServer, free_port
from bot.supervision import LOGGING, find_haproxy
from bot.training import ROOT

DEFAULT_ACTION_PORT = 5055


@dataclass
class Part:
    name: str
    argv: list[str]
    env: dict[str, str]
    health: str | None
    proc: subprocess.Popen | None = None


@dataclass
class ReplicaStack:
    model: Path
    replicas: int = 2
    public_port: int = field(default_factory=free_port)
    run_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="signpost-replicas-")))
    # Extra environment for every part (channel secrets, a fake Bot API, a short TTL...).
    extra_env: dict[str, str] = field(default_factory=dict)
    redis: RedisServer | None = None
    postgres: PostgresServer | None = None
    parts: dict[str, Part] = field(default_factory=dict)
    rasa_ports: list[int] = field(default_factory=list)
    action_ports: list[int] = field(default_factory=list)
    web_port: int = field(default_factory=free_port)
    internal_port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    # Logs carry no message text (bot/logging_redaction.py), but are removed with the run.
    keep_logs: bool = False
    # False: no Redis, each replica keeps its own conversations in memory (with one replica,
    # the embedded mode behind the same path: the benchmark's baseline).
    use_redis: bool = True

    # ---- addresses --------------------------------------------------------------------------
    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    def rasa_url(self, replica: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[replica]}"

    # ---- start and stop ---------------------------------------------------------------------
    def start(self, timeout: float = 300, on_step: Callable[[str], None] = lambda _: None) -> ReplicaStack:
        haproxy = find_haproxy()
        if haproxy is None:
            raise RuntimeError("HAProxy is not installed (scripts/install-system-packages.sh haproxy)")
        deadline = time.monotonic() + timeout
        on_step("starting Redis and PostgreSQL" if self.use_redis else "starting PostgreSQL")
        if self.use_redis:
            self.redis = RedisServer().start()
        self.postgres = PostgresServer().start()
        database_url = self.postgres.create_database("signpost")
        self.env = self._environment(database_url)
        on_step("creating the service directory in PostgreSQL")
        subprocess.run([sys.executable, "-m", "bot.cli", "directory", "init"], cwd=ROOT,
                       env=self.env, check=True, capture_output=True, timeout=300)
        self.rasa_ports = [free_port() for _ in range(self.replicas)]
        self.action_ports = [free_port() for _ in range(self.replicas)]
        for n in range(self.replicas):
            self._add_replica(n)
        self._add_web_front()
        self._add_haproxy(haproxy)
        on_step(f"starting {self.replicas} Rasa replicas, their action servers, the web front "
                "and HAProxy")
        behind = [part for name, part in self.parts.items() if name != "haproxy"]
        for part in behind:
            self._spawn(part)
        for part in behind:
            self._wait(part, deadline)
        # Last, so its first health checks find every replica up.
        self._spawn(self.parts["haproxy"])
        self._wait(self.parts["haproxy"], deadline)
        self._wait(Part("rasa_internal", [], {}, f"http://127.0.0.1:{self.internal_port}/webhooks/web/",
                        self.parts["haproxy"].proc), deadline)
        return self

    def _environment(self, database_url: str) -> dict[str, str]:
        env = dict(os.environ)
        # Every part gets the same explicit secrets: replicas must hash alike and accept the
        # web front's token (they refuse to start with REDIS_URL and no explicit secrets).
        env.setdefault("WEBFRONT_TOKEN", secrets.token_urlsafe(32))
        env.setdefault("SENDER_HASH_KEY", secrets.token_urlsafe(32))
        env.update({
            "REDIS_URL": self.redis.url if self.redis else "",  # empty: in memory
            "DATABASE_URL": database_url,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONWARNINGS": "ignore",
            "SANIC_HOST": "127.0.0.1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        })
        env.update(self.extra_env)
        return env

    def _endpoints(self, action_port: int) -> Path:
        source = (ROOT / "endpoints.yml").read_text()
        target = self.run_dir / f"endpoints-{action_port}.yml"
        target.write_text(source.replace(f"127.0.0.1:{DEFAULT_ACTION_PORT}", f"127.0.0.1:{action_port}"))
        return target

    def _replica_environment(self) -> dict[str, str]:
        """Replicas on one machine share its cores: numpy's BLAS would otherwise start a thread
        per core in every replica (the sentence encoder's matrix products), and two replicas'
        threads fight over the same cores. Each replica gets its share, as a container's CPU
        limit would give it; an explicit setting in the environment wins."""
        threads = str(max(1, (os.cpu_count() or 1) // max(1, self.replicas)))
        env = dict(self.env)
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, threads)
        return env

    def _add_replica(self, n: int) -> None:
        py = sys.executable
        action_port, rasa_port = self.action_ports[n], self.rasa_ports[n]
        self.parts[f"actions{n + 1}"] = Part(
            f"actions{n + 1}",
            [py, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port),
             "--logging-config_file", LOGGING], self.env, f"http://127.0.0.1:{action_port}/health")
        self.parts[f"rasa{n + 1}"] = Part(
            f"rasa{n + 1}",
            [py, "-m", "rasa", "run", "--model", str(self.model), "--port", str(rasa_port),
             "--interface", "127.0.0.1", "--credentials", "credentials.yml",
             "--endpoints", str(self._endpoints(action_port)), "--logging-config-file", LOGGING],
            self._replica_environment(), f"http://127.0.0.1:{rasa_port}/webhooks/web/")

    def _add_web_front(self) -> None:
        env = dict(self.env, WEBFRONT_HOST="127.0.0.1", WEBFRONT_PORT=str(self.web_port),
                   WEBFRONT_TRUSTED_PROXIES="127.0.0.1", ADMIN_PROXY_HOPS="1",
                   RASA_URL=f"http://127.0.0.1:{self.internal_port}")
        self.parts["web"] = Part("web", [sys.executable, "-m", "bot.webfront"], env,
                                 f"http://127.0.0.1:{self.web_port}/healthz")

    def _add_haproxy(self, haproxy: str) -> None:
        from bot.config import current
        from bot.webfront.edge import write_error_files
        from bot.webfront.responses import DomainResponses

        errors = write_error_files(DomainResponses(current().web.domain_file),
                                   self.run_dir / "errors")
        config = self.run_dir / "haproxy.cfg"
        config.write_text(render_replicas(ReplicaEdgeConfig(
            public_host="127.0.0.1", public_port=self.public_port, web_port=self.web_port,
            rasa_ports=tuple(self.rasa_ports), internal_port=self.internal_port,
            stats_socket=self.stats_socket), errors))
        check = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True,
                               text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"HAProxy refused the generated config: {check.stderr.strip()[-800:]}")
        self.parts["haproxy"] = Part("haproxy", [haproxy, "-db", "-f", str(config)], self.env,
                                     f"{self.public_url}/healthz")

    @property
    def stats_socket(self) -> Path:
        return self.run_dir / "haproxy.sock"

    def served(self, backend: str = "rasa_web") -> dict[str, int]:
        """Requests each replica of a backend has served so far (HAProxy's own counters)."""
        import csv
        import io
        import socket

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
        rows = csv.DictReader(io.StringIO(raw.decode().lstrip("# ")))
        return {row["svname"]: int(row["stot"] or 0) for row in rows
                if row["pxname"] == backend and row["svname"].startswith("rasa")}

    def log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def _spawn(self, part: Part) -> None:
        with open(self.log_path(part.name), "ab") as log:
            part.proc = subprocess.Popen(part.argv, cwd=ROOT, env=part.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def _wait(self, part: Part, deadline: float) -> None:
        if part.health is None:
            return
        while time.monotonic() < deadline:
            if part.proc is not None and part.proc.poll() is not None:
                raise RuntimeError(f"{part.name} exited ({part.proc.returncode}); see "
                                   f"{self.log_path(part.name)}")
            try:
                with urllib.request.urlopen(part.health, timeout=1) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"{part.name} did not come up in time; see {self.log_path(part.name)}")

    # ---- faults, for the tests --------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL, as a crash: no goodbye, no flush."""
        proc = self.parts[name].proc
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

    def restart(self, name: str, timeout: float = 240) -> None:
        self.kill(name)
        self._spawn(self.parts[name])
        self._wait(self.parts[name], time.monotonic() + timeout)

    def alive(self, name: str) -> bool:
        proc = self.parts[name].proc
        return proc is not None and proc.poll() is None

    def stop(self) -> None:
        for part in reversed(list(self.parts.values())):
            proc = part.proc
            if proc is None or proc.poll() is not None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if self.redis is not None:
            self.redis.close()
        if self.postgres is not None:
            self.postgres.close()
        if not self.keep_logs:
            shutil.rmtree(self.run_dir, ignore_errors=True)
