"""Processes the suite starts: by PID only, zombies told apart from the living."""

import os
import signal
import socket
import subprocess
import time


class ChaosError(Exception):
    """A step of the suite could not be done; the message says which and why."""


def state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()[0]


def alive(pid):
    """A live process (a killed one may linger as a zombie until it is reaped)."""
    s = state(pid)
    return s is not None and s not in ("Z", "X")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait(what, fn, seconds):
    deadline = time.monotonic() + seconds
    while True:
        if fn():
            return
        if time.monotonic() > deadline:
            raise ChaosError(f"{what}: not within {seconds}s")
        time.sleep(0.1)


class Child:
    """One program of the stack: started, killed with -9, started again, stopped politely."""

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.env = env
        self.proc = None
        self.kills = 0
        self.starts = 0

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     env=self.env)
        log.close()
        self.starts += 1

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.kills += 1

    def pause(self):
        if self.running():
            os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        if self.running():
            os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self, timeout=15):
        if not self.running():
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            return -9

    def tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""
