"""The load generator: wrk with bench/load.lua, and what it saw, merged over its threads."""

import json
import math
import os
import subprocess
import threading
import time

from .procs import BenchError, CLK_TCK

LOAD_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "load.lua")
WRK_THREADS = 2          # one per core of the machine the figures are for
REQUEST_TIMEOUT_S = 10   # wrk's default 2 s would count slow answers as errors, not latency


def quantile_from_hist(hist, step, q):
    """The q-quantile (0..1) in ms of a histogram {bucket: count} of 4%-wide log buckets (us)."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank, seen = q * total, 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= rank:
            return step ** (b + 0.5) / 1000.0
    return None


class LoadResult:
    """What one wrk run saw: totals, latency (wrk's histogram) and per wall-clock second."""

    def __init__(self, raw, start, cpu_s):
        self.start = start                                   # epoch seconds when wrk started
        self.duration = raw["duration_us"] / 1e6
        self.requests = raw["requests"]
        self.errors = raw["errors"]
        self.ok = sum(t["ok"] for t in raw["threads"])           # 2xx answers
        self.msgs = sum(t["msgs"] for t in raw["threads"])       # messages those accepted
        self.other = sum(t["other"] for t in raw["threads"])     # other answers
        self.p50_ms = raw["latency_us"]["p50"] / 1000.0
        self.p99_ms = raw["latency_us"]["p99"] / 1000.0
        self.cpu_s = cpu_s                                       # wrk's own CPU time
        self.statuses = {}
        self.first_errors = []
        self.per_second = {}   # epoch second -> {"ok", "msgs", "other", "hist"}
        step = raw["bucket_step"]
        for t in raw["threads"]:
            for status, count in t["statuses"].items():
                self.statuses[status] = self.statuses.get(status, 0) + count
            if t["first_error"]:
                self.first_errors.append(t["first_error"])
            for sec, s in t["seconds"].items():
                m = self.per_second.setdefault(int(sec), {"ok": 0, "msgs": 0, "other": 0, "hist": {}})
                m["ok"] += s["ok"]
                m["msgs"] += s["msgs"]
                m["other"] += s["other"]
                for b, c in s["hist"].items():
                    m["hist"][int(b)] = m["hist"].get(int(b), 0) + c
        self.step = step

    def second_latency(self, sec, q):
        s = self.per_second.get(sec)
        return quantile_from_hist(s["hist"], self.step, q) if s else None

    def req_per_s(self):
        return self.ok / self.duration

    def msg_per_s(self):
        return self.msgs / self.duration

    def unanswered(self):
        """Requests with no answer (wrk's read and timeout errors): their outcome is unknown."""
        return self.errors["read"] + self.errors["timeout"]


def run_wrk(mode, url, keys_file, connections, duration, out_json, log_path, batch=100, during=None):
    """Runs wrk for `duration` seconds; `during(start)` runs meanwhile in a thread (perf)."""
    env = dict(os.environ, BENCH_MODE=mode, BENCH_KEYS=keys_file, BENCH_OUT=out_json, BENCH_BATCH=str(batch))
    argv = ["wrk", "-t", str(min(WRK_THREADS, connections)), "-c", str(connections), "-d", f"{duration}s",
            "--timeout", f"{REQUEST_TIMEOUT_S}s", "-s", LOAD_SCRIPT, url]
    start = time.time()
    side = None
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
        if during:
            side = threading.Thread(target=during, args=(start,), daemon=True)
            side.start()
        finished = False
        try:
            # wrk stops by itself after `duration`; the bound covers a wrk that hangs.
            finished = _wait_bounded(proc, duration + REQUEST_TIMEOUT_S + 30)
        finally:
            if not finished:  # hung, or this run is being interrupted (SIGTERM, Ctrl-C)
                proc.kill()
                proc.wait()
        if not finished:
            raise BenchError(f"wrk did not finish; see {log_path}")
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if side:
        side.join(60)
    if proc.returncode != 0 or not os.path.exists(out_json):
        with open(log_path, errors="replace") as f:
            raise BenchError(f"wrk failed (exit {proc.returncode}): {f.read()[-800:]}")
    with open(out_json) as f:
        raw = json.load(f)
    return LoadResult(raw, start, usage.ru_utime + usage.ru_stime)


def _wait_bounded(proc, seconds):
    """True once proc has exited (not yet reaped), False if it is still running after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            # WNOWAIT leaves the child to be reaped by wait4, which gives its resource usage.
            if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:
            raise BenchError("wrk was reaped by someone else")
        time.sleep(0.1)
    return False


def window_seconds(start, duration):
    """The whole wall-clock seconds inside the load window [start, start + duration)."""
    return list(range(math.ceil(start), math.floor(start + duration)))


def cpu_ticks_to_s(ticks):
    return ticks / CLK_TCK
