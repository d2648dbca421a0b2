"""What bench/run prints and writes: one table, CSV files and gnuplot PNGs."""

import csv
import os
import subprocess

# CPU rows, in this order; "gateway" is the sum of the gateway's own processes (everything but
# the SMSC simulator and the load generator).
GATEWAY_PROCS = ["smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report", "redis", "postgres",
                 "bearerbox", "smsbox"]
CPU_ROWS = GATEWAY_PROCS + ["gateway", "smsc-sim", "wrk"]

NOTE = ("Kannel does no accounting and no reporting: it keeps no balance, no per-message record and\n"
        "asks for no delivery receipts. smsgw does both for every message: a ledger hold and capture,\n"
        "a status row in PostgreSQL per message, and the SMSC's delivery receipt.")


class Phase:
    """One scenario's figures; None where a figure does not apply or was not measured."""

    def __init__(self, name, kind):
        self.name = name
        self.kind = kind            # "smsgw" or "kannel"
        self.available = True
        self.note = ""
        self.load = None            # LoadResult
        self.connections = 0
        self.messages = 0           # messages accepted (the denominator of every per-message figure)
        self.e2e = None             # SMSC submits per second, sustained over the load window
        self.delivered_p50 = self.delivered_p99 = None
        self.redis_cmds = self.redis_rt = None
        self.cpu = {}               # process -> CPU seconds per 1,000 messages
        self.money = None           # text
        self.money_ok = None
        self.lost = None
        self.lost_detail = ""
        self.series = []            # dict rows for the CSV, one per second of the load window


def fmt(v, digits=0):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return f"{v:,.{digits}f}"


def ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b else "-"


def table(phases, header):
    kannel = next((p for p in phases if p.kind == "kannel" and p.available), None)
    rows = []

    def row(label, cells):
        rows.append([label] + cells)

    cols = phases
    row("", [p.name for p in cols])
    row("connections", [str(p.connections) for p in cols])

    def each(fn):
        return [fn(p) if p.available else "not available" for p in cols]

    row("accepted requests/s", each(lambda p: fmt(p.load.req_per_s())))
    row("accepted messages/s", each(lambda p: fmt(p.load.msg_per_s())))
    if kannel:
        row("  smsgw/Kannel (accepted)", each(lambda p: ratio(p.load.msg_per_s(), kannel.load.msg_per_s())
                                              if p.kind == "smsgw" else ""))
    row("request latency p50 / p99 ms", each(lambda p: f"{p.load.p50_ms:.1f} / {p.load.p99_ms:.1f}"))
    row("end to end msg/s (SMSC submits)", each(lambda p: fmt(p.e2e)))
    if kannel:
        row("  smsgw/Kannel (end to end)", each(lambda p: ratio(p.e2e, kannel.e2e) if p.kind == "smsgw" else ""))
    row("accepted->delivered p50 / p99 ms",
        each(lambda p: f"{fmt(p.delivered_p50)} / {fmt(p.delivered_p99)}" if p.kind == "smsgw" else "no receipts"))
    row("Redis commands / msg", each(lambda p: fmt(p.redis_cmds, 1) if p.kind == "smsgw" else "no Redis"))
    row("Redis round trips / msg", each(lambda p: fmt(p.redis_rt, 2) if p.kind == "smsgw" else "no Redis"))
    row("CPU s per 1,000 msgs:", ["" for _ in cols])
    for name in CPU_ROWS:
        if any(name in p.cpu for p in cols if p.available):
            label = {"gateway": "= gateway total", "smsc-sim": "(SMSC simulator)", "wrk": "(load generator)"}.get(name, name)
            row("  " + label, each(lambda p: fmt(p.cpu.get(name), 3)))
    row("money check", each(lambda p: p.money or "-"))
    row("lost messages", each(lambda p: fmt(p.lost) + (f" ({p.lost_detail})" if p.lost_detail else "")))

    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [header, ""]
    for r in rows:
        lines.append(r[0].ljust(widths[0]) + "  " + "  ".join(c.rjust(w) for c, w in zip(r[1:], widths[1:])))
    notes = [f"{p.name}: {p.note}" for p in cols if p.note]
    lines += [""] + notes
    if kannel:
        lines += ([""] if notes else []) + [NOTE]
    return "\n".join(lines)


def write_csv(phases, outdir):
    with open(os.path.join(outdir, "timeseries.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "second", "accepted_req_per_s", "accepted_msg_per_s", "other_answers",
                    "latency_p50_ms", "latency_p99_ms", "latency_mean_ms_littles_law",
                    "smsc_submits_per_s", "delivered_per_s"])
        for p in phases:
            for r in p.series:
                w.writerow([p.name, r["second"], r["ok"], r["msgs"], r["other"], opt(r["p50"]), opt(r["p99"]),
                            opt(r["mean"]), opt(r["smsc"]), opt(r["delivered"])])
    with open(os.path.join(outdir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "connections", "accepted_req_per_s", "accepted_msg_per_s", "latency_p50_ms",
                    "latency_p99_ms", "e2e_msg_per_s", "delivered_p50_ms", "delivered_p99_ms",
                    "redis_cmds_per_msg", "redis_round_trips_per_msg"] +
                   [f"cpu_s_per_1k_{n}" for n in CPU_ROWS] + ["messages", "money", "lost"])
        for p in phases:
            if not p.available:
                w.writerow([p.name, p.connections, "not available"])
                continue
            w.writerow([p.name, p.connections, f"{p.load.req_per_s():.1f}", f"{p.load.msg_per_s():.1f}",
                        f"{p.load.p50_ms:.2f}", f"{p.load.p99_ms:.2f}", opt(p.e2e), opt(p.delivered_p50),
                        opt(p.delivered_p99), opt(p.redis_cmds), opt(p.redis_rt)] +
                       [opt(p.cpu.get(n)) for n in CPU_ROWS] + [p.messages, p.money or "", opt(p.lost)])


def opt(v):
    if v is None:
        return ""
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def plot(phases, outdir):
    """throughput.png and latency.png over the seconds of each load window; returns the files."""
    shown = [p for p in phases if p.available and p.series]
    if not shown:
        return []
    for i, p in enumerate(shown):
        with open(os.path.join(outdir, f"series-{i}.dat"), "w") as f:
            f.write("# second accepted_msg_per_s smsc_submits_per_s p50_ms p99_ms mean_ms\n")
            for r in p.series:
                f.write(" ".join(str(x) if x is not None else "NaN" for x in
                                 (r["second"], r["msgs"], r["smsc"], r["p50"], r["p99"], r["mean"])) + "\n")
    thr = ", ".join(
        f"'series-{i}.dat' using 1:2 with linespoints title '{p.name}: accepted', "
        f"'series-{i}.dat' using 1:3 with lines dashtype 2 title '{p.name}: SMSC submits'"
        for i, p in enumerate(shown))
    lat = []
    for i, p in enumerate(shown):
        if any(r["p99"] is not None for r in p.series):
            lat.append(f"'series-{i}.dat' using 1:4 with linespoints title '{p.name}: p50'")
            lat.append(f"'series-{i}.dat' using 1:5 with lines title '{p.name}: p99'")
        else:
            lat.append(f"'series-{i}.dat' using 1:6 with lines dashtype 3 title '{p.name}: mean (connections / rate)'")
    script = f"""set terminal pngcairo size 1100,600 noenhanced
set grid
set key outside below
set xlabel 'seconds into the load'
set output 'throughput.png'
set title 'throughput per second'
set ylabel 'messages per second'
plot {thr}
set output 'latency.png'
set title 'request latency per second'
set ylabel 'ms'
set logscale y
plot {", ".join(lat)}
"""
    with open(os.path.join(outdir, "plots.gp"), "w") as f:
        f.write(script)
    r = subprocess.run(["gnuplot", "plots.gp"], cwd=outdir, capture_output=True, text=True)
    if r.returncode != 0:
        return [f"gnuplot failed: {r.stderr.strip()[-300:]}"]
    return [os.path.join(outdir, "throughput.png"), os.path.join(outdir, "latency.png")]
