"""wrk (Debian's /usr/bin/wrk) with a small Lua script that prints one line of JSON: the
requests, the latency percentiles and the answers that were not 2xx (wrk's own count,
summary.errors.status, leaves out redirects such as a lapsed sign-in's 302)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

WRK = shutil.which("wrk") or "/usr/bin/wrk"

SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0; statuses = "" end
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if #statuses < 40 then statuses = statuses .. status .. " " end
  end
end
function done(summary, latency, requests)
  local bad, seen = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    seen = seen .. t:get("statuses")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, ' ..
    '"statuses": "%s", "connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, bad, seen, e.connect, e.read,
    e.write, e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max))
end
"""


def version() -> str:
    done = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False)
    first = (done.stdout + done.stderr + "\nwrk").strip().splitlines()[0]
    return first.split(" Copyright")[0].strip()


def run(url: str, *, seconds: float, connections: int, threads: int,
        cookie: str | None) -> dict:
    """One wrk run; the numbers of its Lua `done` line."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SCRIPT)
    try:
        command = [WRK, "-t", str(min(threads, connections)), "-c", str(connections),
                   "-d", f"{max(1, round(seconds))}s", "--timeout", "60s",
                   "-s", script.name]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        done = subprocess.run([*command, url], capture_output=True, text=True, check=False)
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode or line is None:
        raise SystemExit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    numbers = json.loads(line[len("BENCH "):])
    seconds_run = numbers["duration_us"] / 1e6
    numbers["rps"] = numbers["requests"] / seconds_run if seconds_run else 0.0
    numbers["errors"] = sum(numbers[k] for k in ("connect", "read", "write", "timeout"))
    return numbers
