"""bench/run --perf: where the CPU time goes, per process, while the load runs."""

import os
import subprocess
import time

FREQUENCY = 499     # samples per second per CPU; the VM has no PMU, so this is cpu-clock
SECONDS = 5
TOP = 8


def recorder(outdir, tag, processes_fn, duration):
    """A callback for run_wrk: a third of the way into the load, `perf record -a -g` for a few
    seconds, then perf-<tag>.txt with, for each process (name -> [PIDs], from processes_fn()),
    its CPU, kernel share and top symbols. System-wide, then split by PID, because the daemons
    start threads while they run (gRPC) that a `perf record -p` begun earlier would miss."""
    def record(start):
        time.sleep(max(0.0, start + duration / 3 - time.time()))
        seconds = max(1, min(SECONDS, int(duration / 3)))
        processes = processes_fn()
        data = os.path.join(outdir, f"perf-{tag}.data")
        subprocess.run(["perf", "record", "-q", "-a", "-F", str(FREQUENCY), "-g", "-o", data, "--", "sleep",
                        str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 60)
        with open(os.path.join(outdir, f"perf-{tag}.txt"), "w") as out:
            out.write(f"perf record -a -F {FREQUENCY} -g for {seconds} s, a third of the way into the load, "
                      f"split by process\n(cpu-clock samples; CPU = cores busy on average)\n")
            for name, pids in processes.items():
                out.write("\n" + summarize(name, data, pids, seconds))
    return record


def summarize(name, data, pids, seconds):
    r = subprocess.run(["perf", "report", "-i", data, "--pid", ",".join(str(p) for p in pids),
                        "--stdio", "--no-children", "-g", "none", "-n",
                        "--sort", "dso,sym", "--field-separator=|"],
                       capture_output=True, text=True, timeout=300)
    rows = []
    for line in r.stdout.splitlines():
        if line.startswith("#") or "|" not in line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 4:
            continue
        rows.append((int(parts[1]), parts[2], parts[3]))
    total = sum(n for n, _, _ in rows)
    if not total:
        return f"{name}: no samples\n"
    by_dso = {}
    for n, dso, _ in rows:
        short = os.path.basename(dso).split(".so")[0].strip("[]")
        by_dso[short] = by_dso.get(short, 0) + n
    libs = ", ".join(f"{d} {100 * n / total:.0f}%" for d, n in sorted(by_dso.items(), key=lambda x: -x[1])[:7])
    lines = [f"{name}: CPU {total / FREQUENCY / seconds:.2f} ({total} samples); by library: {libs}"]
    for n, dso, sym in sorted(rows, reverse=True)[:TOP]:
        sym = sym[4:] if sym[:1] == "[" else sym
        lines.append(f"  {100 * n / total:5.1f}%  {os.path.basename(dso)[:24]:24}  {sym[:100]}")
    return "\n".join(lines) + "\n"
