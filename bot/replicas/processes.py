"""Throwaway Redis and PostgreSQL servers on loopback, for the multi-replica mode and its tests.

Both listen on 127.0.0.1 only, on a free port, with their data in a temporary directory that
is removed when they stop. Redis writes nothing to disk (no RDB, no AOF): conversations must
not outlive their TTL in a snapshot file.
"""

from __future__ import annotations

import contextlib
import glob
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

_LOWEST_LISTEN_PORT = 10000
# Every port this process has handed out: a part binds its port only once it has loaded, so
# until then the kernel would happily give the same free port to the next caller.
_HANDED_OUT: set[int] = set()


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port() -> int:
    """A loopback port that is free now, below the kernel's range for outgoing connections, and
    never one this process handed out before.

    A part binds its port only once it has loaded (a Rasa replica about 15 s later). A port
    from bind(0) lies in the outgoing range, so in that window any connection on the machine
    (health checks, clients) can take it, and the replica then exits at start (Rasa exits 0 on
    "address already in use"). Ports below that range are never handed to outgoing
    connections; and two parts given one port would collide the same way."""
    below = _ephemeral_start()
    for _ in range(50 if below - _LOWEST_LISTEN_PORT >= 1000 else 0):
        port = random.randrange(_LOWEST_LISTEN_PORT, below)
        if port not in _HANDED_OUT and _bindable(port):
            _HANDED_OUT.add(port)
            return port
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def find_redis_server() -> str | None:
    return shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class RedisServer:
    """redis-server in the foreground as our child, so it can be stopped, frozen and restarted."""

    port: int = field(default_factory=free_port)
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="signpost-redis-")))
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> RedisServer:
        binary = find_redis_server()
        if binary is None:
            raise RuntimeError("redis-server is not installed (scripts/install-system-packages.sh "
                               "redis-server)")
        argv = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--protected-mode", "yes",
                "--save", "", "--appendonly", "no", "--dir", str(self.base),
                "--daemonize", "no", "--loglevel", "warning", "--logfile", "",
                # keyspace notifications are not needed; keep the memory bounded and say so
                "--maxmemory", "256mb", "--maxmemory-policy", "noeviction"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited ({self.proc.returncode})")
            if _answers_ping(self.port):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} in {timeout}s")

    def freeze(self) -> None:
        """SIGSTOP: connections are still accepted by the kernel but nothing is answered."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def restart(self) -> None:
        """The same port again (empty: nothing was written to disk)."""
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def find_pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PostgresServer:
    """initdb + pg_ctl from the Debian layout; as the `postgres` user when we are root
    (PostgreSQL refuses to run as root)."""

    port: int = field(default_factory=free_port)
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="signpost-pg-")))
    _user: str | None = None

    def _run(self, *args: str) -> None:
        bin_dir = find_pg_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (scripts/install-system-packages.sh)")
        cmd = [str(bin_dir / args[0]), *args[1:]]
        if self._user:
            cmd = ["runuser", "-u", self._user, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip()[-500:]}")

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            self._user = "postgres"
            shutil.chown(self.base, user="postgres", group="postgres")
        self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")
        # No statement logging: the directory holds services, but a query could quote a search.
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
                   " -c synchronous_commit=off -c log_statement=none"
                   " -c log_min_error_statement=panic")
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.base / "log"),
                  "-o", options, "-w", "-t", "60", "start")
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                      dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)

    def close(self) -> None:
        try:
            if self.data_dir.exists():
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
