"""What goes wrong during the run, in turn: each process killed with -9 and started again, the
SMSC dropping the link and stalling, and the network to Redis and PostgreSQL cut, stalled and
slowed through the proxies."""

import threading
import time


def crash_and_restart(stack, key, down_s):
    def act():
        if key == "postgres":
            stack.kill9_postgres()
        else:
            stack.children[key].kill9()
        time.sleep(down_s)
        stack.restart(key)
    return act


def sim_stall(stack, seconds):
    def act():
        sim = stack.children["smsc-sim"]
        sim.pause()
        time.sleep(seconds)
        sim.resume()
    return act


def schedule(stack, long_run):
    """(name, action) in the order they happen; a pause separates them (Runner)."""
    down = 3 if not long_run else 8
    steps = [
        ("kill -9 smsgw-api", crash_and_restart(stack, "api", down)),
        ("kill -9 smsgw-ledger", crash_and_restart(stack, "ledger", down)),
        ("kill -9 smsgw-sched (one of two)", crash_and_restart(stack, "sched-1", down)),
        ("kill -9 smsgw-report", crash_and_restart(stack, "report", down)),
        ("kill -9 redis-server", crash_and_restart(stack, "redis", down)),
        ("kill -9 postgres", crash_and_restart(stack, "postgres", down)),
        ("SMSC drops every bind (connections reset)", lambda: stack.hub.proxies["smsc"].cut()),
        ("SMSC stalls (SIGSTOP) for 5 s", sim_stall(stack, 5)),
        ("network to Redis cut", lambda: stack.hub.proxies["redis"].cut()),
        ("network to Redis stalled 3 s", lambda: stack.hub.proxies["redis"].stall(3)),
        ("network to PostgreSQL cut", lambda: stack.hub.proxies["pg"].cut()),
        ("network to PostgreSQL slowed by 200 ms for 5 s", lambda: stack.hub.proxies["pg"].delay(200, 5)),
        ("network to Redis slowed by 20 ms for 5 s", lambda: stack.hub.proxies["redis"].delay(20, 5)),
    ]
    return steps


class Runner(threading.Thread):
    """Carries out the schedule while the load runs, `gap_s` apart; records what it did."""

    def __init__(self, steps, gap_s, stop_event):
        super().__init__(name="faults", daemon=True)
        self.steps = steps
        self.gap_s = gap_s
        self.stop_event = stop_event
        self.done = []      # (name, seconds it took, when it started: seconds since the run began)
        self.errors = []

    def run(self):
        self.started = time.monotonic()
        for name, act in self.steps:
            if self.stop_event.wait(self.gap_s):
                return
            t0 = time.monotonic()
            try:
                act()
                self.done.append((name, time.monotonic() - t0, t0 - self.started))
            except Exception as e:  # a fault that could not be injected is a failure of the suite
                self.errors.append(f"{name}: {e}")
