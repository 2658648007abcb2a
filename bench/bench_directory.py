"""Benchmark directory search at 1k, 10k and 100k synthetic services.

Loads the bundled data (for the real national helplines) and the postcode tables, then adds
synthetic services in bulk with Core inserts, rebuilds the derived search table and times
`find_services` over a mix of boroughs, neighbourhoods, postcodes, outward codes, topics and
audiences. SQLite always; PostgreSQL when its binaries are installed (a throwaway server,
as in the tests). Prints a markdown table.

    .venv/bin/python bench/bench_directory.py [--sizes 1000 10000 100000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select, text

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(REPO))

from services_directory.boroughs import BOROUGHS  # noqa: E402
from services_directory.cli import init_directory  # noqa: E402
from services_directory.db import make_engine, session_factory  # noqa: E402
from services_directory.models import (  # noqa: E402
    Eligibility,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceSearch,
    ServiceTaxonomy,
)
from services_directory.search import find_services  # noqa: E402
from services_directory.search_index import refresh_search_index  # noqa: E402
from services_directory.vocabulary import (  # noqa: E402
    AUDIENCES,
    TOPICS,
    VERIFICATION_METHODS,
    topic_term_id,
)

CHUNK = 10_000
TODAY = date(2026, 11, 22)


def synthetic_rows(start: int, count: int, rng: random.Random) -> dict[type, list[dict]]:
    rows: dict[type, list[dict]] = {m: [] for m in (Service, ServiceArea, ServiceTaxonomy,
                                                     Eligibility, Phone)}
    for n in range(start, start + count):
        sid = f"svc-bench-{n:07d}"
        rows[Service].append({
            "id": sid, "organization_id": "org-bench", "name": f"Bench service {n:07d}",
            "description": "Synthetic service for benchmarking.", "status": "active",
            "source": "bench", "last_verified": TODAY, "version": 1,
            "updated_at": TODAY,
            # Confirmed like a real entry: a confirmation says who made it and how
            # (ck_service_confirmed_by_someone, migration 0004).
            "verified_by": "bench", "verification_method": VERIFICATION_METHODS[0],
        })
        roll = rng.random()
        if roll < 0.01:
            rows[ServiceArea].append({"id": f"a-{sid}", "service_id": sid, "scope": "national",
                                          "borough_code": None})
        elif roll < 0.05:
            rows[ServiceArea].append({"id": f"a-{sid}", "service_id": sid, "scope": "london",
                                          "borough_code": None})
        else:
            for k, borough in enumerate(rng.sample(BOROUGHS, rng.choice((1, 1, 1, 2, 3)))):
                rows[ServiceArea].append({"id": f"a-{sid}-{k}", "service_id": sid,
                                          "scope": "borough", "borough_code": borough.ons_code})
        topics = set(rng.sample(TOPICS, rng.randint(1, 4)))
        if rng.random() < 0.6:
            topics.add("domestic_abuse")
        for topic in topics:
            rows[ServiceTaxonomy].append({"id": f"st-{sid}-{topic}", "service_id": sid,
                                          "taxonomy_term_id": topic_term_id(topic)})
        restricted = rng.random() < 0.05
        rows[Eligibility].append({
            "id": f"e-{sid}", "service_id": sid,
            "gender": rng.choices((None, "female", "male"), (88, 10, 2))[0],
            "audiences": ";".join(rng.sample(AUDIENCES, rng.randint(0, 3))),
            "audience_restricted": restricted,
        })
        if rng.random() < 0.3:
            # Synthetic rows only, in a throwaway benchmark database: the national helpline's number
            # (shared/reference/national-support.md), so no unlisted number appears anywhere.
            rows[Phone].append({"id": f"p-{sid}", "service_id": sid, "number": "0808 2000 247",
                                "type": "voice", "source": "bench", "last_verified": TODAY})
    return rows


def add_services(engine, start: int, count: int, rng: random.Random) -> float:
    started = time.perf_counter()
    rows = synthetic_rows(start, count, rng)
    with engine.begin() as conn:
        if start == 0:
            conn.execute(insert(Organization), [{"id": "org-bench", "name": "Bench"}])
        for model in (Service, ServiceArea, ServiceTaxonomy, Eligibility, Phone):
            batch = rows[model]
            for i in range(0, len(batch), CHUNK):
                conn.execute(insert(model), batch[i : i + CHUNK])
    with session_factory(engine)() as session, session.begin():
        refresh_search_index(session)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return time.perf_counter() - started


def sample_places(engine, rng: random.Random) -> list[str]:
    with engine.connect() as conn:
        postcodes = conn.execute(
            text("SELECT postcode FROM postcode ORDER BY postcode LIMIT 200000")).scalars().all()
        outwards = conn.execute(text("SELECT DISTINCT outward FROM outward_code")).scalars().all()
    places = [b.name for b in BOROUGHS]
    places += [n for b in BOROUGHS for n in b.neighbourhoods[:2]]
    places += [f"{p[:-3]} {p[-3:]}".lower() for p in rng.sample(postcodes, 60)]
    places += rng.sample(outwards, 40)
    places += ["M1 1AE", "somewhere else"]
    return places


def queries(places: list[str], count: int, rng: random.Random) -> list[tuple]:
    return [
        (rng.choice((None, *TOPICS)), rng.choice(places),
         rng.choice(AUDIENCES) if rng.random() < 0.3 else None)
        for _ in range(count)
    ]


def percentiles(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.99))], \
        values[-1]


def measure(engine, workload: list[tuple], warmup: int = 200) -> dict[str, tuple]:
    """Wall-clock latency, and this thread's CPU time (which excludes time lost to other
    processes on a busy machine; on SQLite all the work happens in this thread)."""
    wall, cpu = [], []
    with session_factory(engine)() as session:
        for topic, place, audience in workload[:warmup]:
            find_services(session, topic=topic, place=place, audience=audience)
        for topic, place, audience in workload:
            started, started_cpu = time.perf_counter(), time.thread_time()
            result = find_services(session, topic=topic, place=place, audience=audience)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            assert any(card.phone for card in result.services)
    return {"wall": percentiles(wall), "cpu": percentiles(cpu)}


def machine_noise(count: int = 2000) -> tuple[float, float, float]:
    """The same fixed pure-Python work, timed: shows how much of a p99 is the machine."""
    def work() -> int:
        return sum(i * i for i in range(8_000))

    timings = []
    for _ in range(count):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return percentiles(timings)


def _pg_helpers():
    """The tests' throwaway-server helper, imported only when PostgreSQL is benchmarked."""
    helpers = str(REPO / "tests" / "directory")
    if helpers not in sys.path:
        sys.path.insert(0, helpers)
    import directory_pg

    return directory_pg.PgServer, directory_pg.find_pg_bin


@contextmanager
def databases(include_pg: bool) -> Iterator[list[tuple[str, str]]]:
    PgServer, find_pg_bin = _pg_helpers()  # noqa: N806
    folder = tempfile.mkdtemp(prefix="signpost-bench-")
    urls = [("SQLite", f"sqlite:///{folder}/bench.sqlite3")]
    server = None
    if include_pg and find_pg_bin() is not None:
        server = PgServer(find_pg_bin()).start()
        urls.append(("PostgreSQL", server.create_database("bench")))
    try:
        yield urls
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)  # up to a few hundred MB at 100k services


def run_benchmark(sizes: list[int], query_count: int = 2_000, include_pg: bool = True,
                  seed: int = 7) -> str:
    """Run everything and return the markdown table (what `main` prints)."""
    lines = ["| backend | synthetic services | search rows | load + index (s) | p50 (ms) "
             "| p99 (ms) | max (ms) | p99 CPU (ms) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    with databases(include_pg) as urls:
        if len(urls) == 1 and include_pg:
            print("PostgreSQL not installed: SQLite only", file=sys.stderr)
        for label, url in urls:
            engine = make_engine(url)
            init_directory(engine, out=io.StringIO())
            rng = random.Random(seed)
            workload = queries(sample_places(engine, rng), query_count, rng)
            loaded = 0
            for size in sorted(sizes):
                seconds = add_services(engine, loaded, size - loaded, rng)
                loaded = size
                with engine.connect() as conn:
                    index_rows = conn.execute(
                        select(func.count()).select_from(ServiceSearch)).scalar_one()
                result = measure(engine, workload)
                p50, p99, worst = result["wall"]
                cpu99 = f"{result['cpu'][1]:.2f}" if label == "SQLite" else "n/a"
                lines.append(f"| {label} | {size:,} | {index_rows:,} | {seconds:.1f} "
                             f"| {p50:.2f} | {p99:.2f} | {worst:.2f} | {cpu99} |")
                print(lines[-1], file=sys.stderr, flush=True)
            engine.dispose()
    noise = machine_noise()
    lines.append("")
    lines.append(f"Machine noise (fixed ~{noise[0]:.2f} ms of pure Python): p50 {noise[0]:.2f} ms,"
                 f" p99 {noise[1]:.2f} ms, max {noise[2]:.2f} ms; load average "
                 f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(run_benchmark(args.sizes, args.queries, not args.no_postgres, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
