"""smsgw as bench/run drives it: the devenv, accounts and money, the report database, Redis."""

import json
import os
import subprocess
import tomllib
import urllib.error
import urllib.request

from .procs import BenchError, alive, read_stat, tree_ticks

DAEMONS = ["smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"]
PRICE = 10                 # per segment; every bench message is one GSM-7 segment
TOPUP = PRICE * 20_000_000  # per account: the balance never limits a run


def run(argv, cwd=None, timeout=120):
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise BenchError(f"{' '.join(argv[:3])}...: exit {r.returncode}: {(r.stderr or r.stdout).strip()[-600:]}")
    return r.stdout


class Smsgw:
    """The devenv of this checkout (scripts/devenv): its config, processes, CLI and servers."""

    def __init__(self, root):
        self.root = root
        self.var = os.path.join(root, "var")
        self.smsctl_bin = os.path.join(root, "build/cmd/smsctl/smsctl")
        self.started_devenv = False
        self.config = None

    # --- the devenv -------------------------------------------------------------------------

    def all_running(self):
        out = subprocess.run([os.path.join(self.root, "scripts/devenv"), "status"], capture_output=True,
                             text=True, cwd=self.root).stdout
        return out.strip() != "" and ": stopped" not in out

    def up(self):
        """Starts what is not running. Remembers whether it started anything, for down()."""
        if not self.all_running():
            self.started_devenv = True
            run([os.path.join(self.root, "scripts/devenv"), "up"], cwd=self.root, timeout=300)
        if not self.load_config():
            raise BenchError("scripts/devenv up wrote no var/smsgw.toml")
        self.api_url = "http://" + self.config["api"]["listen"]
        self.redis_port = int(self.config["redis"]["port"])
        self.dsn = self.config["postgres"]["dsn"]

    def down(self):
        """Stops the devenv if this run started it (scripts/devenv down stops by PID)."""
        if self.started_devenv:
            subprocess.run([os.path.join(self.root, "scripts/devenv"), "down"], cwd=self.root,
                           capture_output=True, timeout=120)
            self.started_devenv = False

    def load_config(self):
        """Reads var/smsgw.toml (written by scripts/devenv); False when there is none yet."""
        try:
            with open(os.path.join(self.var, "smsgw.toml"), "rb") as f:
                self.config = tomllib.load(f)
        except FileNotFoundError:
            return False
        return True

    def window(self):
        ops = (self.config or {}).get("operators") or [{}]
        return int(ops[0].get("window", 10))

    def pid_of(self, name):
        path = {"redis": "redis/redis.pid"}.get(name, f"run/{name}.pid")
        try:
            with open(os.path.join(self.var, path)) as f:
                pid = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if alive(pid) else None

    def postmaster_pid(self):
        # var/pg may be a link to PostgreSQL's private folder (see scripts/lib/servers.sh).
        try:
            with open(os.path.join(os.path.realpath(os.path.join(self.var, "pg")), "data/postmaster.pid")) as f:
                pid = int(f.readline())
        except (OSError, ValueError):
            return None
        return pid if alive(pid, "postgres") else None

    def processes(self):
        """name -> PID of every process whose CPU is counted: daemons, simulator, Redis, PostgreSQL."""
        pids = {name: self.pid_of(name) for name in DAEMONS + ["redis"]}
        pids["postgres"] = self.postmaster_pid()
        pids["smsc-sim"] = self.pid_of("smsgw-smsc-sim")
        missing = [n for n, p in pids.items() if p is None]
        if missing:
            raise BenchError(f"not running: {', '.join(missing)} (scripts/devenv status)")
        return pids

    def cpu_ticks(self, pids):
        """Ticks per process; PostgreSQL's are its whole tree (postmaster and backends)."""
        out = {}
        for name, pid in pids.items():
            if name == "postgres":
                out[name] = tree_ticks(pid)
            else:
                st = read_stat(pid)
                out[name] = st[3] if st else 0
        return out

    # --- HTTP ---------------------------------------------------------------------------------

    def http(self, method, path, key=None, body=None, timeout=5):
        req = urllib.request.Request(self.api_url + path, method=method,
                                     data=body.encode() if body is not None else None)
        if key:
            req.add_header("Authorization", "Bearer " + key)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")
        except OSError:
            return 0, ""

    def ready(self):
        return self.http("GET", "/readyz")[0] == 200

    # --- accounts and money ------------------------------------------------------------------

    def smsctl(self, *args):
        return run([self.smsctl_bin, "--config", os.path.join(self.var, "smsgw.toml"), "--output", "json", *args])

    def create_accounts(self, prefix, count):
        """`count` fresh accounts at PRICE, each topped up with TOPUP: [(id, api key)]."""
        out = []
        for i in range(count):
            created = json.loads(self.smsctl("account", "create", "--name", f"{prefix}-{i}", "--price", str(PRICE)))
            self.smsctl("topup", str(created["id"]), str(TOPUP), "--ref", f"{prefix}-{i}")
            out.append((int(created["id"]), created["api_key"]))
        return out

    def balances(self, ids):
        """id -> (balance, held)."""
        out = {}
        for i in ids:
            b = json.loads(self.smsctl("balance", str(i)))
            out[i] = (int(b["balance"]), int(b.get("held", 0)))
        return out

    # --- the report database ------------------------------------------------------------------

    def sql(self, query):
        """Rows of a query, as lists of strings ('' for NULL)."""
        out = run(["psql", self.dsn, "-XAtq", "-F", "|", "-c", query], timeout=60)
        return [line.split("|") for line in out.splitlines() if line]

    def progress(self, ids):
        """(recorded, delivered, final but not delivered) messages of these accounts."""
        r = self.sql(f"""SELECT count(*), count(*) FILTER (WHERE status = 'delivered'),
                                count(*) FILTER (WHERE status NOT IN ('accepted', 'submitted', 'delivered'))
                         FROM messages WHERE account_id IN ({in_list(ids)})""")[0]
        return int(r[0]), int(r[1]), int(r[2])

    def unsent(self):
        """Messages of any account accepted and not yet submitted: a backlog (of an interrupted
        earlier run, say) that the scheduler would send during the load."""
        return int(self.sql("SELECT count(*) FROM messages WHERE status = 'accepted'")[0][0])

    def submitted_since(self, epoch):
        """Messages of any account submitted since `epoch` (seconds)."""
        return int(self.sql(f"SELECT count(*) FROM messages WHERE submitted_at >= to_timestamp({epoch})")[0][0])

    def statuses(self, ids):
        return {s: int(n) for s, n in self.sql(
            f"SELECT status, count(*) FROM messages WHERE account_id IN ({in_list(ids)}) GROUP BY 1 ORDER BY 1")}

    def cost(self, ids):
        return int(self.sql(f"SELECT coalesce(sum(cost), 0) FROM messages WHERE account_id IN ({in_list(ids)})")[0][0])

    def delivery_ms(self, ids):
        """Accepted -> delivered p50 and p99 in ms over every delivered message (done_at - created_at,
        created_at being the time in the message's UUIDv7 id, i.e. its acceptance)."""
        r = self.sql(f"""SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP
                                  (ORDER BY extract(epoch FROM done_at - created_at) * 1000)
                         FROM messages WHERE account_id IN ({in_list(ids)}) AND status = 'delivered'""")[0][0]
        values = r.strip("{}").split(",") if r else []
        return tuple(float(v) for v in values) if len(values) == 2 and "NULL" not in values else (None, None)

    def per_second(self, ids, column):
        """epoch second -> messages whose `column` (created_at, submitted_at, done_at) falls in it."""
        return {int(s): int(n) for s, n in self.sql(
            f"""SELECT floor(extract(epoch FROM {column}))::bigint, count(*) FROM messages
                WHERE account_id IN ({in_list(ids)}) AND {column} IS NOT NULL GROUP BY 1""")}

    # --- Redis ---------------------------------------------------------------------------------

    def redis_counters(self):
        """(commands processed, read events) so far. Commands run inside Lua scripts are counted
        too; a read event is one read of a client's socket, so a pipeline sent at once is one."""
        info = run(["redis-cli", "-p", str(self.redis_port), "info", "stats"])
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        return int(fields["total_commands_processed"]), int(fields["total_reads_processed"])


def in_list(ids):
    return ",".join(str(int(i)) for i in ids)

