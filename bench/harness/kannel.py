"""Kannel 1.4.5 (Debian's bearerbox and smsbox) beside smsgw: the same SMSC simulator (an
instance of its own), the same load generator; store-type=file, /cgi-bin/sendsms."""

import calendar
import os
import re
import time
import urllib.request

from .procs import BenchError, Started, free_port_or_fail, port_open, read_stat, wait_for

ADMIN_PASSWORD = "bench"
USERS = 8   # sendsms users, as smsgw gets API keys: the load goes round-robin over them


def port(var, default):
    return int(os.environ.get(var, default))


class Kannel:
    """Starts (in order) a simulator, bearerbox and smsbox under `workdir`; stop() stops them."""

    def __init__(self, root, workdir, window):
        self.root = root
        self.dir = workdir
        self.window = window
        self.admin_port = port("SMSGW_KANNEL_ADMIN_PORT", 13000)
        self.box_port = port("SMSGW_KANNEL_BOX_PORT", 13001)
        self.sendsms_port = port("SMSGW_KANNEL_SENDSMS_PORT", 13013)
        self.smsc_port = port("SMSGW_KANNEL_SMSC_PORT", 12776)
        self.url = f"http://127.0.0.1:{self.sendsms_port}"
        self.procs = {}
        self.access_log = os.path.join(workdir, "access.log")

    def write_config(self):
        users = "".join(f"""
group = sendsms-user
username = bench{i}
password = secret{i}
max-messages = 1
concatenation = false
""" for i in range(USERS))
        # Logs at warning level: Kannel's info and debug lines cost it throughput. The access
        # log (one line per message sent to the SMSC) is Kannel's normal record and is what
        # the end-to-end rate over time is read from.
        conf = f"""# Written by bench/run.
group = core
admin-port = {self.admin_port}
admin-password = {ADMIN_PASSWORD}
status-password = {ADMIN_PASSWORD}
admin-allow-ip = "127.0.0.1"
smsbox-port = {self.box_port}
box-allow-ip = "127.0.0.1"
log-file = "{self.dir}/bearerbox.log"
log-level = 2
access-log = "{self.dir}/access.log"
store-type = file
store-location = "{self.dir}/kannel.store"

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = {self.smsc_port}
transceiver-mode = true
smsc-username = kannel
smsc-password = secret
system-type = "bench"
max-pending-submits = {self.window}

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.box_port}
sendsms-port = {self.sendsms_port}
log-file = "{self.dir}/smsbox.log"
log-level = 2
{users}"""
        path = os.path.join(self.dir, "kannel.conf")
        with open(path, "w") as f:
            f.write(conf)
        with open(os.path.join(self.dir, "keys"), "w") as f:
            f.writelines(f"bench{i} secret{i}\n" for i in range(USERS))
        return path

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        for p, what in [(self.admin_port, "SMSGW_KANNEL_ADMIN_PORT"), (self.box_port, "SMSGW_KANNEL_BOX_PORT"),
                        (self.sendsms_port, "SMSGW_KANNEL_SENDSMS_PORT"), (self.smsc_port, "SMSGW_KANNEL_SMSC_PORT")]:
            free_port_or_fail(p, what)
        conf = self.write_config()
        env = dict(os.environ, TZ="UTC")  # the access log's times, read back as UTC
        sim = os.path.join(self.root, "build/cmd/smsgw-smsc-sim/smsgw-smsc-sim")
        self.procs["smsc-sim"] = Started("smsc-sim", [sim, "--listen", f"127.0.0.1:{self.smsc_port}",
                                                      "--system-id", "kannel", "--password", "secret"],
                                         os.path.join(self.dir, "smsc-sim.log"))
        wait_for("Kannel's SMSC simulator", 10, lambda: port_open(self.smsc_port))
        # -v 2: warnings and worse on stderr (the default prints every debug line).
        self.procs["bearerbox"] = Started("bearerbox", ["/usr/sbin/bearerbox", "-v", "2", conf],
                                          os.path.join(self.dir, "bearerbox.out"), env=env, cwd=self.dir)
        wait_for("bearerbox", 15, lambda: self._check("bearerbox") and port_open(self.box_port)
                 and port_open(self.admin_port))
        self.procs["smsbox"] = Started("smsbox", ["/usr/sbin/smsbox", "-v", "2", conf],
                                       os.path.join(self.dir, "smsbox.out"), env=env, cwd=self.dir)
        wait_for("smsbox", 15, lambda: self._check("smsbox") and port_open(self.sendsms_port))
        wait_for("Kannel's SMPP bind", 30, lambda: self._check("bearerbox") and self.smsc_online())

    def _check(self, name):
        p = self.procs[name]
        if not p.running():
            raise BenchError(f"{name} exited: {p.tail()}")
        return True

    def keys_file(self):
        return os.path.join(self.dir, "keys")

    def status(self):
        url = f"http://127.0.0.1:{self.admin_port}/status.txt?password={ADMIN_PASSWORD}"
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode(errors="replace")
        except OSError:
            return ""

    def smsc_online(self):
        return re.search(r"sim\[sim\].*\(online ", self.status()) is not None

    def sent_and_queued(self):
        """(messages sent to the SMSC, messages still queued) from bearerbox's status page."""
        m = re.search(r"SMS: received \d+ \((\d+) queued\), sent (\d+) \((\d+) queued\)", self.status())
        if not m:
            return None
        q = re.search(r"sim\[sim\].*queued (\d+) msgs", self.status())
        return int(m.group(2)), int(m.group(1)) + int(m.group(3)) + (int(q.group(1)) if q else 0)

    def pids(self):
        return {name: p.pid for name, p in self.procs.items()}

    def cpu_ticks(self):
        out = {}
        for name, p in self.procs.items():
            st = read_stat(p.pid)
            out[name] = st[3] if st else 0
        return out

    def sent_per_second(self):
        """epoch second -> messages the SMSC accepted from Kannel (its access log: 'Sent SMS')."""
        out = {}
        try:
            with open(self.access_log, errors="replace") as f:
                for line in f:
                    if " Sent SMS " in line:
                        t = calendar.timegm(time.strptime(line[:19], "%Y-%m-%d %H:%M:%S"))
                        out[t] = out.get(t, 0) + 1
        except OSError:
            pass
        return out

    def stop(self):
        """Stops smsbox, bearerbox, then the simulator; returns the simulator's submit count."""
        for name in ["smsbox", "bearerbox", "smsc-sim"]:
            if name in self.procs:
                self.procs[name].stop()
        sim = self.procs.get("smsc-sim")
        self.procs = {}
        if sim:
            m = re.findall(r"(\d+) submits", sim.tail(5))
            return int(m[-1]) if m else None
        return None
