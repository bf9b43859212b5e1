"""Running the benchmarks: the context they receive, the timings, the table and the JSON.

Each benchmark runs once to warm up (logging the persona in, filling caches), once under
``CaptureQueriesContext`` to count its queries, then ``runs`` times timed (without capturing,
which would slow it). The median and the p95
(nearest rank: with 7 runs, the slowest) are reported; a benchmark with a target PASSes when
its **median** is within it (the median resists the noise of a shared machine).
"""

import math
import statistics
import time
from dataclasses import asdict, dataclass, field

from plie.core import demo
from plie.core.enums import Role


def median(values):
    return statistics.median(values)


def percentile(values, pct):
    """Nearest-rank percentile: the smallest value with at least ``pct`` % of the values ≤ it."""
    if not values:
        raise ValueError("Aucune mesure.")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def personas(plie_code):
    """Persona -> demo email: each role of the first PLIE, the OI direction, the financeur, the superuser."""
    emails = {role.value: demo.demo_email(role, plie_code) for role in Role if role != Role.FINANCEUR}
    emails["direction_oi"] = demo.demo_email(Role.DIRECTION, demo.OI_SLUG)
    emails[Role.FINANCEUR.value] = demo.demo_email(Role.FINANCEUR, demo.FINANCEUR_SLUG)
    emails["superuser"] = demo.SUPERUSER_EMAIL
    return emails


@dataclass
class BenchContext:
    """What a benchmark receives: the personas (users and logged-in clients) and the PLIE."""

    plie_codes: list
    users: dict  # persona -> User
    dataset: dict = field(default_factory=dict)
    _clients: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_database(cls, dataset=None):
        from plie.core.models import Structure, User

        plie_codes = list(Structure.objects.plies().order_by("id").values_list("code", flat=True))
        if not plie_codes:
            raise RuntimeError("Aucun PLIE dans la base : lancez seed_demo.")
        emails = personas(plie_codes[0])
        by_email = User.objects.in_bulk(emails.values(), field_name="email")
        missing = sorted(set(emails.values()) - set(by_email))
        if missing:
            raise RuntimeError(f"Comptes de démonstration absents : {', '.join(missing)}.")
        users = {persona: by_email[email] for persona, email in emails.items()}
        return cls(plie_codes=plie_codes, users=users, dataset=dataset or {})

    def user(self, persona):
        return self.users[persona]

    def client(self, persona):
        """A test ``Client`` logged in as ``persona`` (created once, reused)."""
        from django.test import Client

        if persona not in self._clients:
            client = Client()
            client.force_login(self.users[persona])
            self._clients[persona] = client
        return self._clients[persona]


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int
    runs: int
    target_ms: float | None = None
    floor_ms: float | None = None
    writes: bool = False
    sql_ms: float | None = None  # its queries' time in the counted run

    @property
    def ratio(self):
        """The median over its raw-SQL floor's median (measured in the same run), else ``None``."""
        if self.floor_ms is None or self.floor_ms <= 0:
            return None
        return self.median_ms / self.floor_ms

    @property
    def verdict(self):
        if self.target_ms is None:
            return ""
        return "PASS" if self.median_ms <= self.target_ms else "FAIL"

    def as_dict(self):
        rounded = {"median_ms": round(self.median_ms, 2), "p95_ms": round(self.p95_ms, 2)}
        if self.sql_ms is not None:
            rounded["sql_ms"] = round(self.sql_ms, 1)
        if self.floor_ms is not None:
            rounded["floor_ms"] = round(self.floor_ms, 2)
        ratio = None if self.ratio is None else round(self.ratio, 1)
        return {**asdict(self), **rounded} | {"verdict": self.verdict or None, "ratio": ratio}


def timed(func, ctx, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        func(ctx)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def run_benchmark(bench, ctx, *, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bench.func(ctx)  # warm-up: logs the persona in, fills the caches
    with CaptureQueriesContext(connection) as captured:
        bench.func(ctx)
    queries = len(captured.captured_queries)  # now: the next request empties the connection's log
    # the time its own queries took in that run (ms, to the millisecond Django records): the rest of
    # the median is Python, templates and the round trips — where to look when far above the floor
    sql_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    timings = timed(bench.func, ctx, runs)
    floor_ms = None
    if bench.floor is not None:  # the raw SQL, warm too, right after: same caches, same moment
        bench.floor(ctx)
        floor_ms = median(timed(bench.floor, ctx, runs))
    return Result(
        name=bench.name,
        median_ms=median(timings),
        p95_ms=percentile(timings, 95),
        queries=queries,
        runs=runs,
        target_ms=bench.target_ms,
        floor_ms=floor_ms,
        writes=bench.writes,
        sql_ms=sql_ms,
    )


def ordered(benchmarks):
    """The read benchmarks first, then those that write (each order kept): a write never comes
    before a read of the same tables."""
    return [b for b in benchmarks if not b.writes] + [b for b in benchmarks if b.writes]


def settle():
    """After a write benchmark: ``VACUUM ANALYZE``, so the dead rows of rolled-back or rewritten
    data neither bloat the next benchmark's tables nor skew its plans (issue 17: 900,000 dead rows
    doubled the bilan). Inside a transaction (the tests), ``ANALYZE`` only."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    from bench.dataset import vacuum_analyze

    vacuum_analyze()


def run_all(benchmarks, ctx, *, runs, on_result=None):
    results = []
    for bench in ordered(benchmarks):
        result = run_benchmark(bench, ctx, runs=runs)
        if bench.writes:
            settle()
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


HEADERS = (
    "benchmark",
    "médiane ms",
    "p95 ms",
    "requêtes",
    "dont SQL ms",
    "plancher SQL ms",
    "ratio",
    "cible ms",
    "verdict",
)


def table_rows(results):
    return [
        (
            r.name,
            f"{r.median_ms:.1f}",
            f"{r.p95_ms:.1f}",
            str(r.queries),
            "" if r.sql_ms is None else f"{r.sql_ms:.0f}",
            "" if r.floor_ms is None else f"{r.floor_ms:.1f}",
            "" if r.ratio is None else f"{r.ratio:.1f}×",
            "" if r.target_ms is None else f"{r.target_ms:g}",
            r.verdict,
        )
        for r in results
    ]


def format_table(results):
    """A plain-text table, numbers aligned right."""
    rows = [HEADERS, *table_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_markdown(results):
    """The same table in Markdown (for the README)."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
    return "\n".join(lines)


README_BEGIN = "<!-- bench:begin -->"
README_END = "<!-- bench:end -->"


def replace_readme_table(path, table, database):
    """Put ``table`` (Markdown) between the bench markers of the README at ``path``."""
    text = path.read_text()
    if README_BEGIN not in text or README_END not in text:
        raise ValueError(f"Marqueurs {README_BEGIN} / {README_END} absents de {path}.")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    path.write_text(f"{head}{README_BEGIN}\nJeu `{database}` :\n\n{table}\n{README_END}{tail}")
