"""Processes bench/run starts and watches: bounded waits, stops by PID, CPU time from /proc."""

import os
import signal
import socket
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A step of the benchmark could not be done; the message says which and why."""


def read_stat(pid):
    """(comm, state, ppid, cpu ticks) of a process, or None once it is gone.

    The ticks are user + system time of every thread, plus those of the children it has
    reaped (cutime, cstime): a PostgreSQL backend that exits moves its time into the
    postmaster's, so a process tree's total never loses a finished child.
    """
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()
    # fields[0] is field 3 of proc(5): state; ppid is 4; utime, stime, cutime, cstime 14..17.
    return comm, fields[0], int(fields[1]), sum(int(x) for x in fields[11:15])


def alive(pid, name=None):
    """PID is a live process (not a zombie) and, when given, called NAME (comm, 15 chars)."""
    st = read_stat(pid)
    return st is not None and st[1] not in ("Z", "X") and (name is None or st[0] == name[:15])


def tree_ticks(pid):
    """CPU ticks of PID and every live descendant (each with its reaped children)."""
    children = {}
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = read_stat(int(entry))
            if st:
                stats[int(entry)] = st
                children.setdefault(st[2], []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        if p in stats:
            total += stats[p][3]
            todo.extend(children.get(p, []))
    return total


def tree_pids(pid):
    """PID and its live descendants, for perf record -p."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = read_stat(int(entry))
            if st:
                children.setdefault(st[2], []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port_or_fail(port, what):
    if port_open(port):
        raise BenchError(f"port {port} ({what}) is taken; move it with the environment variable")


def wait_for(what, seconds, check, pause=0.1):
    """Polls check() until it returns a true value (which is returned) or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise BenchError(f"{what}: not within {seconds:g} s")
        time.sleep(pause)


class Started:
    """A process bench/run started, stopped only through its own PID."""

    def __init__(self, name, argv, log_path, env=None, cwd=None):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env, cwd=cwd)
        self.pid = self.proc.pid

    def running(self):
        return self.proc.poll() is None

    def stop(self, seconds=15):
        """SIGTERM, up to `seconds` for a clean exit, then SIGKILL. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(seconds)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        return self.proc.returncode

    def tail(self, lines=15):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""
