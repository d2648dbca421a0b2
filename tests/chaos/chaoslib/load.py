"""The customers: many accounts sending singles and batches, both priorities, some with
callbacks, a few without the money for all they send. Every request carries an
Idempotency-Key and is retried with it until it gets a definite answer, so the suite knows
exactly which messages were accepted and which refused, whatever failed on the way.

Each message's text carries a token of its own ("chaos-<n>"): the SMSC simulator's log of
what it received is the witness of what was sent."""

import http.client
import json
import random
import threading
import time
import uuid

from .procs import ChaosError


class Ledgerbook:
    """What the clients were told: per token, the message id (accepted) or the refusal."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted = {}       # token -> message id
        self.refused = {}        # token -> problem code
        self.unknown = set()     # tokens whose request never got a definite answer
        self.by_account = {}     # account -> tokens sent
        self.requests = 0
        self.retries = 0
        self.statuses = {}       # HTTP status -> count, of every answer (retried ones included)

    def note_status(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


class Client:
    """One connection to the API, with retries on what may be transient."""

    def __init__(self, port, book, deadline_s):
        self.port = port
        self.book = book
        self.deadline_s = deadline_s
        self.conn = None

    def _request(self, method, path, body, headers):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse()
            data = r.read()
            return r.status, dict(r.getheaders()), data
        except (OSError, http.client.HTTPException):
            try:
                self.conn.close()
            finally:
                self.conn = None
            return None, {}, b""

    def send(self, key, path, payload):
        """POSTs until a definite answer (2xx, or a 4xx other than 429 and 409
        idempotency_key_in_use, which say "not known yet, ask again"); None if none came."""
        body = json.dumps(payload)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                   "Idempotency-Key": str(uuid.uuid4())}
        give_up = time.monotonic() + self.deadline_s
        pause = 0.05
        first = True
        while time.monotonic() < give_up:
            if not first:
                with self.book.lock:
                    self.book.retries += 1
            first = False
            status, hdrs, data = self._request("POST", path, body, headers)
            with self.book.lock:
                self.book.requests += 1
            if status is not None:
                self.book.note_status(status)
            if status is not None and status < 500 and status != 429:
                try:
                    answer = json.loads(data) if data else {}
                except ValueError:
                    answer = {}
                # The first request with this key may have queued its messages (it was cut off
                # by a kill): the answer is known once they are sent or their holds expire.
                if not (status == 409 and answer.get("code") == "idempotency_key_in_use"):
                    return status, answer
            retry_after = float(hdrs.get("Retry-After", "0") or 0) if status else 0
            time.sleep(max(pause, min(retry_after, 5)))
            pause = min(pause * 2, 2.0)
        return None


def plan(accounts, messages, express_share, callback_share, batch_share, seed):
    """The messages to send: (token, account, priority, callback) in order, and their grouping
    into requests (singles or batches of 20-200 of one account)."""
    rng = random.Random(seed)
    items = []
    for n in range(messages):
        acct = accounts[rng.randrange(len(accounts))]
        items.append({"token": f"chaos-{n}", "account": acct,
                      "priority": "express" if rng.random() < express_share else "normal",
                      "callback": rng.random() < callback_share})
    by_account = {}
    for it in items:
        by_account.setdefault(it["account"]["id"], []).append(it)
    requests = []
    for acct_items in by_account.values():
        i = 0
        while i < len(acct_items):
            if rng.random() < batch_share:
                size = rng.randint(20, 200)
                requests.append(acct_items[i:i + size])
                i += size
            else:
                requests.append(acct_items[i:i + 1])
                i += 1
    rng.shuffle(requests)
    return requests


def message_json(it, callback_url):
    m = {"to": "+98912" + f"{abs(hash(it['token'])) % 10**7:07d}", "text": it["token"], "priority": it["priority"],
         "client_ref": it["token"]}
    if it["callback"] and callback_url:
        m["callback_url"] = callback_url
    return m


def run_load(port, requests, book, threads, callback_url, stop_event, rate, deadline_s=300):
    """Sends every request over `threads` connections, at about `rate` messages a second in
    all (so that the load lasts while the faults come); returns when all are answered or given
    up."""
    queue = list(reversed(requests))
    qlock = threading.Lock()
    pace = {"next": time.monotonic()}

    def wait_turn(messages):
        with qlock:
            now = time.monotonic()
            at = max(now, pace["next"])
            pace["next"] = at + messages / rate
        time.sleep(max(0.0, at - time.monotonic()))

    def worker():
        client = Client(port, book, deadline_s)
        while not stop_event.is_set():
            with qlock:
                if not queue:
                    return
                req = queue.pop()
            acct = req[0]["account"]
            wait_turn(len(req))
            if len(req) == 1:
                answer = client.send(acct["key"], "/v1/messages", message_json(req[0], callback_url))
                with book.lock:
                    if answer is None:
                        book.unknown.add(req[0]["token"])
                    elif answer[0] in (200, 202) and "id" in answer[1]:
                        book.accepted[req[0]["token"]] = answer[1]["id"]
                    else:
                        book.refused[req[0]["token"]] = answer[1].get("code", str(answer[0]))
            else:
                payload = {"messages": [message_json(it, callback_url) for it in req]}
                answer = client.send(acct["key"], "/v1/messages/batch", payload)
                with book.lock:
                    if answer is None:
                        book.unknown.update(it["token"] for it in req)
                    elif answer[0] == 200:
                        results = answer[1].get("results", [])
                        for it, res in zip(req, results):
                            if res.get("status") == "refused":
                                book.refused[it["token"]] = res.get("problem", {}).get("code", "refused")
                            else:
                                book.accepted[it["token"]] = res["id"]
                    else:
                        for it in req:
                            book.refused[it["token"]] = answer[1].get("code", str(answer[0]))

    ts = [threading.Thread(target=worker, name=f"load-{i}") for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if stop_event.is_set():
        raise ChaosError("load stopped")
