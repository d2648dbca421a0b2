"""A whole smsgw for the suite: private Redis (AOF everysec) and PostgreSQL, a fault proxy in
front of each, the ledger, the report daemon, two schedulers, the API, the SMSC simulator and a
webhook receiver, all on loopback ports of their own, in one temporary folder."""

import os
import shutil
import subprocess
import tempfile
import time

from .procs import Child, ChaosError, alive, free_port, port_open, wait
from .proxy import ProxyHub

# api.hold_ttl_s of the suite's gateway (24 h by default): the money check waits this long at
# most for holds that no message will capture to come back. Longer than any message waits in
# a queue here, so a hold that expires is one whose message never got there.
HOLD_TTL_S = 300


def sh(root, script, timeout=180):
    """Runs bash with scripts/lib/servers.sh sourced (the same server set-up scripts/test uses)."""
    r = subprocess.run(["bash", "-c", f". scripts/lib/servers.sh; {script}"], cwd=root, capture_output=True,
                       text=True, timeout=timeout)
    if r.returncode != 0:
        raise ChaosError(f"{script}: exit {r.returncode}: {(r.stderr or r.stdout).strip()[-800:]}")
    return r.stdout.strip()


class Stack:
    def __init__(self, root, build, sim_args, keep=False):
        self.root = root
        self.build = build
        self.sim_args = sim_args
        self.keep = keep
        self.dir = tempfile.mkdtemp(prefix="smsgw-chaos-")
        os.chmod(self.dir, 0o755)
        self.log_dir = os.path.join(self.dir, "log")
        os.makedirs(self.log_dir)
        self.ports = {n: free_port() for n in
                      ("redis", "redis_proxy", "pg", "pg_proxy", "ledger", "report", "api", "smsc", "smsc_proxy",
                       "webhooks")}
        self.config = os.path.join(self.dir, "smsgw.toml")
        self.children = {}
        self.hub = None

    # --- paths --------------------------------------------------------------------------------
    def bin(self, name):
        rel = {"smsctl": "cmd/smsctl/smsctl", "smsgw-smsc-sim": "cmd/smsgw-smsc-sim/smsgw-smsc-sim",
               "smsgw-api": "daemons/api/smsgw-api", "smsgw-ledger": "daemons/ledger/smsgw-ledger",
               "smsgw-sched": "daemons/sched/smsgw-sched", "smsgw-report": "daemons/report/smsgw-report"}[name]
        return os.path.join(self.build, rel)

    @property
    def api_url(self):
        return f"http://127.0.0.1:{self.ports['api']}"

    @property
    def dsn(self):
        return f"host=127.0.0.1 port={self.ports['pg']} dbname=smsgw user=postgres"

    def smsctl(self, *args, check=True, timeout=120):
        r = subprocess.run([self.bin("smsctl"), "--config", self.config, *args], capture_output=True, text=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise ChaosError(f"smsctl {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
        return r

    def psql(self, sql):
        r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.ports["pg"]), "-U", "postgres", "-d", "smsgw",
                            "-tA", "-F", "\t", "-c", sql], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise ChaosError(f"psql: {r.stderr.strip()}")
        return [line.split("\t") for line in r.stdout.splitlines() if line]

    # --- servers ------------------------------------------------------------------------------
    def start_redis(self):
        d = os.path.join(self.dir, "redis")
        os.makedirs(d, exist_ok=True)
        c = self.children.get("redis") or Child("redis", [
            "redis-server", "--port", str(self.ports["redis"]), "--bind", "127.0.0.1", "--dir", d,
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no"],
            os.path.join(self.log_dir, "redis.log"))
        self.children["redis"] = c
        c.start()

        def pong():
            r = subprocess.run(["redis-cli", "-p", str(self.ports["redis"]), "ping"], capture_output=True, text=True)
            return r.stdout.strip() == "PONG"
        wait("redis-server", pong, 120)

    def pg_pid(self):
        try:
            return int(sh(self.root, f"postgres_pid {self.dir}/pg"))
        except (ChaosError, ValueError):
            return None

    def start_postgres(self):
        # A postmaster killed with -9 leaves backends that quit on their own a moment later;
        # until they have, a new postmaster refuses the data folder: try again for a while.
        deadline = time.monotonic() + 120
        while True:
            try:
                sh(self.root, f"start_postgres {self.dir}/pg {self.ports['pg']}")
                return
            except ChaosError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def pg_data(self):
        return os.path.join(os.path.realpath(os.path.join(self.dir, "pg")), "data")

    def pg_processes(self):
        """Live processes of this cluster: every PostgreSQL process works in its data folder."""
        data = self.pg_data()
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.readlink(f"/proc/{entry}/cwd") == data and alive(int(entry)):
                        found.append(int(entry))
                except OSError:
                    pass
        return found

    def kill9_postgres(self):
        pid = self.pg_pid()
        if not pid:
            raise ChaosError("postgres is not running")
        os.kill(pid, 9)
        # The backends quit on their own once they see the postmaster gone. The dead postmaster
        # stays a zombie until PID 1 reaps it, and pg_ctl takes a zombie's PID in
        # postmaster.pid for a running server: once every process of the cluster is gone, the
        # stale lock file goes too, as it would after a reboot.
        wait("postgres processes gone", lambda: not self.pg_processes(), 60)
        try:
            os.remove(os.path.join(self.pg_data(), "postmaster.pid"))
        except FileNotFoundError:
            pass

    # --- config and daemons ---------------------------------------------------------------------
    def write_config(self, operator_extra=""):
        p = self.ports
        with open(self.config, "w") as f:
            f.write(f"""# Written by tests/chaos/run. The daemons reach Redis and PostgreSQL through the
# suite's fault proxies, and the SMSC through a third; smsctl and the checks use the same file.
[redis]
host = "127.0.0.1"
port = {p['redis_proxy']}
timeout_ms = 2000

[postgres]
dsn = "host=127.0.0.1 port={p['pg_proxy']} dbname=smsgw user=postgres connect_timeout=3"

[api]
listen = "127.0.0.1:{p['api']}"
# A debit whose message never reached a queue (smsgw-api killed between the ledger's answer
# and its enqueue) is returned when its hold expires: soon enough here for the check to see it.
hold_ttl_s = {HOLD_TTL_S}
ledger_address = "127.0.0.1:{p['ledger']}"
report_address = "127.0.0.1:{p['report']}"

[ledger]
listen = "127.0.0.1:{p['ledger']}"
flush_interval_ms = 500

[sched]
ledger_address = "127.0.0.1:{p['ledger']}"
express_sla_ms = 5000

[report]
listen = "127.0.0.1:{p['report']}"
# The suite's webhook receiver is on this machine.
webhook_allow_private = true
webhook_retry_base_ms = 1000

[[operators]]
name = "sim"
host = "127.0.0.1"
port = {p['smsc_proxy']}
system_id = "smsgw"
password = "secret"
window = 50
tps = 100000
{operator_extra}
[log]
level = "info"
""")

    def add_daemon(self, key, binary, args):
        self.children[key] = Child(key, [self.bin(binary), *args], os.path.join(self.log_dir, f"{key}.log"))
        return self.children[key]

    def start(self):
        self.start_redis()
        self.start_postgres()
        self.hub = ProxyHub()
        self.hub.add("redis", self.ports["redis_proxy"], self.ports["redis"])
        self.hub.add("pg", self.ports["pg_proxy"], self.ports["pg"])
        self.hub.add("smsc", self.ports["smsc_proxy"], self.ports["smsc"])
        self.write_config()
        self.smsctl("migrate")
        sim = self.add_daemon("smsc-sim", "smsgw-smsc-sim",
                              ["--listen", f"127.0.0.1:{self.ports['smsc']}", "--system-id", "smsgw",
                               "--password", "secret", *self.sim_args])
        sim.start()
        wait("smsc-sim", lambda: port_open(self.ports["smsc"]), 20)
        for key, binary in (("ledger", "smsgw-ledger"), ("report", "smsgw-report"), ("sched-1", "smsgw-sched"),
                            ("sched-2", "smsgw-sched"), ("api", "smsgw-api")):
            self.add_daemon(key, binary, ["--config", self.config]).start()
        wait("smsgw-ledger", lambda: port_open(self.ports["ledger"]), 60)
        wait("smsgw-report", lambda: port_open(self.ports["report"]), 60)
        wait("smsgw-api", lambda: port_open(self.ports["api"]), 60)

    def restart(self, key):
        if key == "redis":
            self.start_redis()
        elif key == "postgres":
            self.start_postgres()
        else:
            self.children[key].start()

    def stop(self):
        for key in ("api", "sched-1", "sched-2", "report", "ledger", "smsc-sim"):
            if key in self.children:
                self.children[key].stop()
        if self.hub:
            self.hub.close()
        if "redis" in self.children:
            self.children["redis"].stop()
        try:
            sh(self.root, f"stop_postgres {self.dir}/pg")
        except ChaosError:
            pass
        if not self.keep:
            try:
                sh(self.root, f"pg_remove {self.dir}/pg")
            except ChaosError:
                pass
            shutil.rmtree(self.dir, ignore_errors=True)
