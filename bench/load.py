"""The load stage (``python -m bench --load``): the key pages under 1, 5 and 20 simultaneous users.

A small threaded client, bounded: each level lasts ``seconds`` then stops by itself; it only ever
talks to 127.0.0.1 (the gunicorn it starts itself on a free port, against the bench database).
Each simulated user is logged in (a session of its persona) and requests the key pages in turn,
without pause. Per level and page: requests per second, p50/p95/p99 (ms), errors."""

import os
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from bench.runner import percentile

LEVELS = (1, 5, 20)
BASE_DIR = Path(__file__).resolve().parent.parent


def key_pages(ctx):
    """``[(name, persona, path)]``: the pages a PLIE opens all day."""
    from participants.models import Participant

    referent = ctx.user("referent")
    participant = Participant.objects.filter(parcours__referent=referent).order_by("pk").first()
    pages = [
        ("accueil", "referent", "/"),
        ("ma_file_active", "referent", "/parcours/ma-file-active/"),
        ("liste_participants_oi", "direction_oi", "/participants/"),
        ("tableau_de_bord", "animation", "/tableaux-de-bord/"),
    ]
    if participant is not None:
        pages.append(("dossier", "referent", f"/participants/{participant.pk}/"))
    return pages


def session_cookies(ctx, personas):
    """``{persona: "sessionid=…"}``: a session in the database for each persona."""
    from django.conf import settings

    name = settings.SESSION_COOKIE_NAME
    return {persona: f"{name}={ctx.client(persona).cookies[name].value}" for persona in personas}


def _only_local(base_url):
    host = urlsplit(base_url).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise ValueError(f"L'étape de charge ne vise que 127.0.0.1, pas « {host} ».")


def fetch(url, cookie):
    """GET ``url`` with the session ``cookie``; ``True`` when it answered 200."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status == 200
    except Exception:
        return False


def run_level(base_url, pages, cookies, *, users, seconds):
    """``users`` threads requesting ``pages`` in turn for ``seconds``; returns per page
    ``{"requests", "errors", "req_s", "p50_ms", "p95_ms", "p99_ms"}`` and the total."""
    _only_local(base_url)
    timings = {name: [] for name, _, _ in pages}
    errors = {name: 0 for name, _, _ in pages}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(offset):
        index = offset
        while time.monotonic() < deadline:
            name, persona, path = pages[index % len(pages)]
            index += 1
            started = time.perf_counter()
            ok = fetch(base_url + path, cookies[persona])
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings[name].append(elapsed)
                errors[name] += 0 if ok else 1

    threads = [threading.Thread(target=user, args=(offset,), daemon=True) for offset in range(users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    duration = time.monotonic() - started

    def stats(values, failed):
        if not values:
            empty = {"p50_ms": None, "p95_ms": None, "p99_ms": None}
            return {"requests": 0, "errors": failed, "req_s": 0.0, **empty}
        return {
            "requests": len(values),
            "errors": failed,
            "req_s": round(len(values) / duration, 1),
            "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "p99_ms": round(percentile(values, 99), 1),
        }

    result = {name: stats(values, errors[name]) for name, values in timings.items()}
    result["total"] = stats([v for values in timings.values() for v in values], sum(errors.values()))
    return result


def run_load(base_url, pages, cookies, *, levels=LEVELS, seconds=10.0):
    """:func:`run_level` at each level of users: ``{"1": {...}, "5": {...}, "20": {...}}``, after
    a warm-up (each page requested a few times, not measured: every server process's first
    request pays for imports and caches)."""
    _only_local(base_url)
    for _ in range(3):
        for _name, persona, path in pages:
            fetch(base_url + path, cookies[persona])
    return {str(users): run_level(base_url, pages, cookies, users=users, seconds=seconds) for users in levels}


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(workers=2):
    """gunicorn (``workers`` processes) on 127.0.0.1 and a free port, with this process's
    environment (the bench database); yields its base URL, stopped on exit."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "plie.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "120", "--log-level", "warning"],
        cwd=BASE_DIR, env=os.environ.copy(),
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base_url + "/sante/", timeout=5).read()
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn n'a pas démarré.") from None
                time.sleep(0.3)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def format_load(load):
    """A plain-text table: one line per level and page."""
    lines = ["utilisateurs  page                    req/s   p50 ms   p95 ms   p99 ms  erreurs"]
    for users, pages in load.items():
        for name, s in pages.items():
            keys = ("req_s", "p50_ms", "p95_ms", "p99_ms")
            cells = [f"{s[k]:.1f}" if s[k] is not None else "—" for k in keys]
            numbers = f"{cells[0]:>6} {cells[1]:>8} {cells[2]:>8} {cells[3]:>8} {s['errors']:>8}"
            lines.append(f"{users:>12}  {name:<22} {numbers}")
    return "\n".join(lines)


def format_load_markdown(load):
    """The same table in Markdown (for the README, under the benchmarks' table)."""
    lines = [
        "| utilisateurs | page | req/s | p50 ms | p95 ms | p99 ms | erreurs |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for users, pages in load.items():
        for name, s in pages.items():
            keys = ("req_s", "p50_ms", "p95_ms", "p99_ms")
            cells = [f"{s[k]:.1f}" if s[k] is not None else "—" for k in keys]
            lines.append(f"| {users} | {name} | {' | '.join(cells)} | {s['errors']} |")
    return "\n".join(lines)
