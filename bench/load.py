"""Load benchmark: the portal under gunicorn with production settings, measured with wrk.

    make bench                                    # SQLite, 30,000 members
    DATABASE_URL=postgresql://… make bench        # PostgreSQL (scratch database foreningen_bench)
    .venv/bin/python -m bench --pages register --duration 10 --warmup 3
    .venv/bin/python -m bench --growth --pages register   # 3,000, 30,000 and 300,000 members
    .venv/bin/python -m bench --compare bench/results/<older>.json

A seeded dataset (demo.load, cached in bench/.data/ per size and day), gunicorn from the
repository's directory, the board member and the administrator signed in with their second
factor, then each page in turn: a warm-up, then wrk at C connections for S seconds. Prints
one table and writes it as JSON (bench/results/<time>-<db>.json).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from bench import dataset, report, server, wrk
from bench.dataset import ADMIN, BOARD, COORDINATOR, ROOT

GROWTH_SIZES = (3_000, 30_000, 300_000)
PASSWORD = "demo-forening-2026"  # foreningen.demo.DEMO_PASSWORD, public on purpose


def pages(facts: dict, members: int, year: int) -> list[tuple[str, str, str | None]]:
    """(name, path, who): the key pages; None is anyone, signed out."""
    deep = max(1, members * 6 // 10 // 50)  # well inside the current members' pages
    register = [
        ("register", "/members/"),
        ("register search name", f"/members/?q={quote(facts['name'])}"),
        ("register category", "/members/?category=supporting"),
        ("register status lapsed", "/members/?status=lapsed"),
        ("register paid", f"/members/?paid=paid&year={year}"),
        ("register unpaid", f"/members/?paid=unpaid&year={year}"),
        ("register municipality", f"/members/?municipality={facts['municipality_id']}"),
        ("register sort number desc", "/members/?sort=number&direction=desc"),
        ("register sort joined", "/members/?sort=joined&direction=desc"),
        ("register sort status", "/members/?sort=status"),
        ("register deep page", f"/members/?page={deep}"),
    ]
    return [("healthz", "/healthz", None), ("sign-in form", "/auth/sign-in", None),
            *[(name, path, BOARD) for name, path in register],
            ("member page", f"/members/{facts['member_id']}", BOARD),
            ("applications", "/members/applications", BOARD),
            ("dues overview", f"/dues/?year={year}", BOARD),
            ("audit log", "/admin/audit", ADMIN),
            ("admin users", "/admin/users", ADMIN),
            ("supporters pipeline", "/supporters/", COORDINATOR),
            ("supporters active", "/supporters/?stage=active&sort=changed", COORDINATOR),
            ("supporters attention", "/supporters/attention", COORDINATOR),
            ("supporter page", f"/supporters/{facts['supporter_id']}", COORDINATOR),
            ("supporters training", "/supporters/training", COORDINATOR),
            ("support queue", "/support/", COORDINATOR),
            ("support request", f"/support/requests/{facts['request_id']}", COORDINATOR),
            ("support assign", f"/support/requests/{facts['request_id']}/assign", COORDINATOR),
            ("support assignment",
             f"/support/mine/assignments/{facts['assignment_id']}", COORDINATOR)]


class Sessions:
    """One signed-in session per account, made when first needed and again when it lapsed."""

    def __init__(self, port: int, facts: dict):
        self.port, self.facts, self.cookies = port, facts, {}

    def cookie(self, who: str | None, fresh: bool = False) -> str | None:
        if who is None:
            return None
        if fresh or who not in self.cookies:
            totp = self.facts["totp"][who]
            self.cookies[who] = server.sign_in(self.port, who, PASSWORD, totp["secret"],
                                               totp["recovery"])
        return self.cookies[who]

    def get(self, who: str | None, path: str) -> tuple[int, bytes, str | None]:
        """A GET that signs in again once if the session lapsed (a redirect to sign-in)."""
        status, body = self._get(who, path)
        if status != 200 and who is not None:
            self.cookie(who, fresh=True)
            status, body = self._get(who, path)
        return status, body, self.cookies.get(who)

    def _get(self, who: str | None, path: str) -> tuple[int, bytes]:
        """Keeps the cookie a browser would keep: the page's form put its CSRF token in the
        session; without it every answer would carry a new session cookie."""
        status, headers, body = server.request(self.port, "GET", path, cookie=self.cookie(who))
        if who is not None:
            self.cookies[who] = server.session_cookie(headers, self.cookies[who])
        return status, body


def measure_pages(port: int, sessions: Sessions, chosen, args, log) -> list[dict]:
    rows = []
    for name, path, who in chosen:
        status, body, cookie = sessions.get(who, path)
        if status != 200:
            log(f"  {name:28} {path}: answered {status}, skipped")
            rows.append({"name": name, "path": path, "who": who, "status": status})
            continue
        url = f"http://127.0.0.1:{port}{path}"
        common = {"connections": args.connections, "threads": args.threads, "cookie": cookie}
        if args.warmup > 0:
            wrk.run(url, seconds=args.warmup, **common)
            drain(port, args.workers)
        got = wrk.run(url, seconds=args.duration, **common)
        got["drain_s"] = drain(port, args.workers)
        row = {"name": name, "path": path, "who": who, "status": status,
               "page_kb": round(len(body) / 1024, 1), **got}
        rows.append(row)
        log("  " + report.page_line(row, rows[0]))
    floor = rows[0].get("rps") if rows and rows[0]["name"] == "healthz" else None
    for row in rows:
        if floor and "rps" in row:
            row["floor_share"] = round(100 * row["rps"] / floor, 1)
    return rows


def drain(port: int, workers: int) -> float:
    """Wait for the requests wrk left behind when it stopped: gunicorn still answers what is
    in its queue, and a slow page's leftovers would eat into the next run. A request queued
    after them is answered once the queue ahead of it has gone (but for what the other
    workers are still doing: hence one per worker)."""
    started = time.perf_counter()
    for _ in range(workers + 1):
        server.request(port, "GET", "/healthz")
    return round(time.perf_counter() - started, 2)


def _timed_get(port: int, path: str, cookie: str, repeats: int) -> dict:
    times, size, status = [], 0, None
    for _ in range(repeats):
        started = time.perf_counter()
        status, _headers, body = server.request(port, "GET", path, cookie=cookie)
        times.append(time.perf_counter() - started)
        size = len(body)
    return {"path": path, "status": status, "seconds": round(statistics.median(times), 3),
            "runs": [round(t, 3) for t in times], "mib": round(size / 2**20, 2)}


def run_jobs(gunicorn: server.Server, sessions: Sessions, facts: dict, year: int,
             today: str, args, log) -> tuple[dict, dict]:
    """The work that is not a page view: exports, a bank import and `flask purge`."""
    port, jobs, rss = gunicorn.port, {}, {"after pages": gunicorn.rss_mib()}
    cookie = sessions.get(BOARD, "/members/")[2]  # a session that is not about to lapse
    for fmt in ("csv", "xlsx"):
        jobs[f"export {fmt}"] = _timed_get(port, f"/members/export.{fmt}", cookie,
                                           args.job_repeats)
        log("  " + report.job_line(f"export {fmt}", jobs[f"export {fmt}"]))
    rss["after exports"] = gunicorn.rss_mib()
    data = dataset.bank_file(facts["references"], year, today)
    token, cookie = server.form_token(port, "/dues/import", cookie)
    body, content_type = server.multipart("file", f"bench-{today}.csv", data,
                                          {"csrf_token": token})
    started = time.perf_counter()
    status, headers, _ = server.request(port, "POST", "/dues/import", cookie=cookie, body=body,
                                        content_type=content_type)
    jobs["bank import"] = {"path": "/dues/import (POST, HTTP)", "status": status,
                           "seconds": round(time.perf_counter() - started, 3),
                           "lines": dataset.BANK_LINES, "mib": round(len(data) / 2**20, 2),
                           "ok": status == 302 and "/dues/imports/" in
                           (headers.get("location") or [""])[0]}
    log("  " + report.job_line("bank import", jobs["bank import"]))
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "purge"],
                          cwd=ROOT, env=gunicorn.env, capture_output=True, text=True,
                          check=False)
    jobs["flask purge"] = {"path": "flask --app wsgi purge", "status": done.returncode,
                           "seconds": round(time.perf_counter() - started, 3),
                           "ok": done.returncode == 0, "output": done.stdout.strip()}
    log("  " + report.job_line("flask purge", jobs["flask purge"]))
    if done.returncode:
        log(done.stderr[-2000:])
    rss["end"] = gunicorn.rss_mib()
    return jobs, rss


def run_size(members: int, postgres: str | None, args, log, *, jobs: bool) -> dict:
    from foreningen.core import clock

    run_url, facts = dataset.prepare(members, postgres, log=log)
    today = clock.today()
    chosen = [p for p in pages(facts, members, today.year)
              if p[0] == "healthz" or re.search(args.pages, p[0])]
    port = server.free_port()
    env = server.production_env(run_url, facts["field_key"], port)
    result = {"members": facts["members"], "build_seconds": facts.get("build_seconds")}
    try:
        with server.Server(env, port, args.workers) as gunicorn:
            log(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}, FORENINGEN_ENV="
                f"production, rate limits off (RATELIMIT_ENABLED=0)")
            sessions = Sessions(port, facts)
            log(f"pages: {len(chosen)} × ({args.warmup:g} s warm-up + {args.duration:g} s) "
                f"at {args.connections} connections")
            result["pages"] = measure_pages(port, sessions, chosen, args, log)
            if jobs:
                result["jobs"], result["rss_mib"] = run_jobs(
                    gunicorn, sessions, facts, today.year, today.isoformat(), args, log)
            else:
                result["rss_mib"] = {"end": gunicorn.rss_mib()}
    finally:
        dataset.drop_run_database(postgres)
    return result


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--duration", type=float, default=20, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=5, help="seconds before each page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--pages", default=None,
                        help="regular expression on page names (healthz always runs)")
    parser.add_argument("--job-repeats", type=int, default=3, help="runs of each export")
    parser.add_argument("--no-jobs", action="store_true", help="pages only")
    parser.add_argument("--growth", action="store_true",
                        help="the register at 3,000, 30,000 and 300,000 members")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--compare", type=Path, help="an older results file to compare with")
    args = parser.parse_args(argv)
    if args.pages is None:
        args.pages = "^register" if args.growth else "."
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    postgres = os.environ.get("DATABASE_URL") or None
    if postgres and not postgres.startswith("postgres"):
        raise SystemExit("DATABASE_URL: the load benchmark knows SQLite (unset) and PostgreSQL")
    kind = "postgresql" if postgres else "sqlite"
    started = datetime.now(UTC)
    results = {"started": started.isoformat(timespec="seconds"),
               "machine": report.machine(postgres),
               "settings": {"db": kind, "workers": args.workers,
                            "connections": args.connections, "wrk_threads": args.threads,
                            "duration_s": args.duration, "warmup_s": args.warmup,
                            "pages": args.pages, "env": "production",
                            "rate_limits": "off (RATELIMIT_ENABLED=0)"}}
    log = print
    log(report.header(results))
    if args.growth:
        results["growth"] = {}
        for size in GROWTH_SIZES:
            log(f"\n== {size:,} members")
            results["growth"][str(size)] = run_size(size, postgres, args, log, jobs=False)
    else:
        results["settings"]["members"] = args.members
        results.update(run_size(args.members, postgres, args, log, jobs=not args.no_jobs))
    results["seconds"] = round((datetime.now(UTC) - started).total_seconds())
    results["machine"]["loadavg_end"] = report.loadavg()
    log("")
    log(report.render(results))
    path = args.json or ROOT / "bench" / "results" / (
        f"{started.strftime('%Y%m%d-%H%M%S')}-{kind}{'-growth' if args.growth else ''}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log(f"\nwritten to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if args.compare:
        log("")
        log(report.compare(json.loads(args.compare.read_text()), results, args.compare.name))
