"""Small helpers every benchmark section shares: ports, processes, memory, CPU noise, maths.

Memory and CPU are read straight from /proc so the figures mean the same thing as `ps` and
`top` on the server, and so the suite needs nothing beyond the project's own dependencies.
"""

from __future__ import annotations

import os
import platform
import secrets
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / ".out"
LOGS = OUT / "logs"
MIB = 1024 * 1024


def base_env() -> dict[str, str]:
    """The environment the tests' `stack` fixture uses: quiet, no telemetry, no real channels."""
    env = dict(os.environ)
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONPATH": str(ROOT),
    })
    # Real channel secrets would make Rasa try to reach Twilio or Telegram.
    env.pop("TWILIO_AUTH_TOKEN", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


def new_sender(prefix: str) -> str:
    """A tab id the web channel accepts ([A-Za-z0-9-]{16,64}), unique per conversation."""
    return f"{prefix}-{secrets.token_hex(8)}"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: p99 of 300 samples is a real sample, not an interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


# ---------------------------------------------------------------- processes and memory


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: split after the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (Rasa or TensorFlow may fork helpers)."""
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def vm_rss(pid: int) -> int:
    """Resident bytes of one process, 0 once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(pid: int) -> int:
    return sum(vm_rss(p) for p in process_tree(pid))


@dataclass
class RssSampler:
    """Samples the RSS of named process trees in a thread, to catch the peak under load."""

    pids: dict[str, int]
    interval: float = 0.5
    peak: dict[str, int] = field(default_factory=dict)
    peak_total: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> dict[str, int]:
        now = {name: tree_rss(pid) for name, pid in self.pids.items()}
        for name, value in now.items():
            self.peak[name] = max(self.peak.get(name, 0), value)
        self.peak_total = max(self.peak_total, sum(now.values()))
        return now

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sample()


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL: only ever the processes this suite started, by their own handle."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


def wait_for_url(url: str, procs: list[subprocess.Popen], seconds: float) -> bool:
    """True once `url` answers 200; False if a process died or time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:  # loopback only
                if reply.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


# ---------------------------------------------------------------- CPU noise


def _busy_seconds() -> float:
    """Seconds of CPU the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _live_descendants_seconds() -> float:
    """CPU of our still-running children (servers), including what they have reaped."""
    total = 0
    for pid in process_tree(os.getpid())[1:]:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # Fields 14-17 of stat (utime, stime, cutime, cstime), counted after the ")".
        total += sum(int(x) for x in stat[11:15])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSnapshot:
    """A point in time: the machine's busy CPU, ours (this process, reaped and live children)."""

    at: float
    machine_busy: float
    ours: float
    client: float
    load: float

    @classmethod
    def take(cls) -> CpuSnapshot:
        times = os.times()
        reaped = times.children_user + times.children_system
        client = times.user + times.system
        return cls(time.monotonic(), _busy_seconds(), client + reaped + _live_descendants_seconds(),
                   client, os.getloadavg()[0])


@dataclass(frozen=True)
class Noise:
    """How much of the machine other people's work used while a section ran.

    A process counts as ours while it is this process's descendant or once reaped by it;
    a daemon that detaches (the throwaway PostgreSQL server) counts as someone else's.
    """

    section: str
    wall: float
    machine_busy: float
    ours: float
    client: float
    load_before: float
    load_after: float

    @classmethod
    def since(cls, before: CpuSnapshot, section: str) -> Noise:
        after = CpuSnapshot.take()
        return cls(section, after.at - before.at, after.machine_busy - before.machine_busy,
                   after.ours - before.ours, after.client - before.client, before.load,
                   after.load)

    @property
    def capacity(self) -> float:
        return self.wall * (os.cpu_count() or 1)

    @property
    def foreign_share(self) -> float:
        """Share of the machine's CPU capacity used by processes this suite did not run."""
        if not self.capacity:
            return 0.0
        return max(0.0, self.machine_busy - self.ours) / self.capacity

    @property
    def client_share(self) -> float:
        """Share of the machine's CPU the load generator itself used."""
        return self.client / self.capacity if self.capacity else 0.0


# ---------------------------------------------------------------- the machine


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    try:
        from importlib.metadata import version

        rasa_version = version("rasa")
    except Exception:  # the report still says something useful without it
        rasa_version = "unknown"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{mem_kib / MIB:.1f} GiB",
        "python": platform.python_version(),
        "rasa": rasa_version,
        "kernel": platform.release(),
    }
