"""The load benchmark's table, its machine description and the comparison of two runs."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

from bench import wrk
from bench.dataset import ROOT

HEAD = (f"{'page':28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'floor %':>8} {'non-2xx':>8} {'kB':>6}")


def _ms(us) -> str:
    return f"{us / 1000:8.1f}"


def page_line(row: dict, floor: dict | None = None) -> str:
    if "rps" not in row:
        return f"{row['name']:28} answered {row.get('status')} ({row['path']}), not measured"
    share = row.get("floor_share")
    if share is None and floor and floor.get("rps"):
        share = 100 * row["rps"] / floor["rps"]
    bad = row["non2xx"] + row.get("errors", 0)
    if not row["requests"]:
        return (f"{row['name']:28} {0:8.1f} {'no answer within the run':>26} {'':>8} "
                f"{bad:8d} {row.get('page_kb', 0):6.0f}")
    return (f"{row['name']:28} {row['rps']:8.1f} {_ms(row['p50_us'])} {_ms(row['p95_us'])} "
            f"{_ms(row['p99_us'])} {'' if share is None else f'{share:.1f}':>8} "
            f"{bad:8d} {row.get('page_kb', 0):6.0f}")


def job_line(name: str, job: dict) -> str:
    extra = [f"{k}={job[k]}" for k in ("mib", "lines", "runs") if k in job]
    if "ok" in job:
        extra.append("ok" if job["ok"] else "FAILED")
    if job.get("output"):  # flask purge: what each retention rule did
        done = [line for line in job["output"].splitlines() if not line.endswith(": 0")]
        extra.append("; ".join(done) or "nothing to purge")
    return f"{name:28} {job['seconds']:8.2f} s  status {job['status']}  {' '.join(extra)}"


def _pages_block(result: dict) -> list[str]:
    lines = [HEAD] + [page_line(row) for row in result.get("pages", [])]
    bad = [r for r in result.get("pages", []) if r.get("statuses")]
    lines += [f"  {r['name']}: non-2xx statuses seen: {r['statuses'].strip()}" for r in bad]
    return lines


def _rss_block(rss: dict) -> list[str]:
    return [f"RSS {when:14} " + ", ".join(f"{who} {mib:.0f} MiB" for who, mib in procs.items())
            for when, procs in rss.items()]


def render(results: dict) -> str:
    s = results["settings"]
    lines = [f"Föreningen load benchmark — {s['db']}, {s['workers']} gunicorn workers, "
             f"{s['connections']} connections, {s['duration_s']:g} s per page "
             f"(+{s['warmup_s']:g} s warm-up), production settings, rate limits off"]
    if "growth" in results:
        for size, result in results["growth"].items():
            lines += ["", f"{int(size):,} members", *_pages_block(result),
                      *_rss_block(result.get("rss_mib", {}))]
        lines += ["", *_growth_table(results["growth"])]
    else:
        lines[0] += f", {results['members']:,} members"
        lines += _pages_block(results)
        if results.get("jobs"):
            lines += ["", f"{'job':28} {'seconds':>8}", *[job_line(name, job) for name, job
                                                          in results["jobs"].items()]]
        lines += ["", *_rss_block(results.get("rss_mib", {}))]
    return "\n".join(lines)


def _growth_table(growth: dict) -> list[str]:
    sizes = list(growth)
    head = f"{'req/s (p95 ms)':28}" + "".join(f"{int(n):>20,}" for n in sizes)
    names = [r["name"] for r in next(iter(growth.values()))["pages"]]
    lines = [head]
    for name in names:
        cells = []
        for size in sizes:
            row = next((r for r in growth[size]["pages"] if r["name"] == name), {})
            cells.append(f"{row['rps']:.1f} ({row['p95_us'] / 1000:.0f})" if row.get("requests")
                         else "-")
        lines.append(f"{name:28}" + "".join(f"{c:>20}" for c in cells))
    return lines


def compare(old: dict, new: dict, label: str) -> str:
    """New ÷ old per page and job: req/s above 1 is faster, p95 and seconds below 1."""
    if "growth" in new or "growth" in old:
        return "\n\n".join(
            compare({**old["growth"][size], "settings": old["settings"], "started": old.get(
                "started")}, result, f"{label}, {int(size):,} members")
            for size, result in new.get("growth", {}).items() if size in old.get("growth", {})
        ) or "nothing to compare: run both with --growth, or both without"
    lines = [f"compared with {label} ({old.get('settings', {}).get('db')}, "
             f"{old.get('members', '?')} members, started {old.get('started')}): new ÷ old",
             f"{'page':28} {'req/s':>8} {'p95':>8} {'floor %':>8}"]
    before = {r["name"]: r for r in old.get("pages", []) if "rps" in r}
    for row in new.get("pages", []):
        was = before.get(row["name"])
        if not was or "rps" not in row:
            lines.append(f"{row['name']:28} {'-':>8}")
            continue
        share = (f"{row['floor_share'] / was['floor_share']:8.2f}"
                 if row.get("floor_share") and was.get("floor_share") else f"{'-':>8}")
        lines.append(f"{row['name']:28} {row['rps'] / was['rps']:8.2f} "
                     f"{row['p95_us'] / max(was['p95_us'], 1):8.2f} {share}")
    old_jobs = old.get("jobs", {})
    for name, job in new.get("jobs", {}).items():
        if name in old_jobs and old_jobs[name].get("seconds"):
            ratio = job["seconds"] / old_jobs[name]["seconds"]
            lines.append(f"{name:28} {'seconds':>8} {ratio:8.2f}")
    return "\n".join(lines)


def loadavg() -> list[float]:
    return list(os.getloadavg())


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _proc(path: str, prefix: str) -> str | None:
    """The value of the first line of a /proc file that starts with `prefix`."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((x.split(":", 1)[1].strip() for x in lines if x.startswith(prefix)), None)


def _cpu() -> str:
    return _proc("/proc/cpuinfo", "model name") or platform.processor()


def _memory_gib() -> float | None:
    total = _proc("/proc/meminfo", "MemTotal")
    return round(int(total.split()[0]) / 2**20, 1) if total else None


def _database_version(postgres: str | None) -> str:
    if not postgres:
        return f"SQLite {sqlite3.sqlite_version}"
    import sqlalchemy as sa

    from bench.dataset import normalised

    engine = sa.create_engine(normalised(postgres))
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT version()")).split(" on ")[0]
    finally:
        engine.dispose()


def machine(postgres: str | None) -> dict:
    import gunicorn

    return {"platform": platform.platform(), "cpu": _cpu(), "cpus": os.cpu_count(),
            "memory_gib": _memory_gib(), "python": sys.version.split()[0],
            "gunicorn": gunicorn.__version__, "wrk": wrk.version(),
            "database": _database_version(postgres), "git_commit": _git("rev-parse", "HEAD"),
            "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
            "loadavg_start": loadavg()}


def header(results: dict) -> str:
    m, s = results["machine"], results["settings"]
    return (f"Föreningen load benchmark, {results['started']}\n"
            f"{m['cpu']} × {m['cpus']}, {m['memory_gib']} GiB; Python {m['python']}, "
            f"gunicorn {m['gunicorn']}, {m['wrk']}; {m['database']}\n"
            f"commit {m['git_commit'][:12]}{' (with local changes)' if m['git_dirty'] else ''}"
            f"; load average {' '.join(f'{x:.2f}' for x in m['loadavg_start'])}\n"
            f"production settings (FORENINGEN_ENV=production), rate limits OFF "
            f"(RATELIMIT_ENABLED=0), {s['workers']} workers, {s['connections']} connections")
