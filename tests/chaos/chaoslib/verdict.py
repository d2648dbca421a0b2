"""After the faults: wait until every accepted message is final, then judge from the client's
side, with the SMSC's own log as the witness of what was sent."""

import collections
import json
import re
import time

from .procs import ChaosError
from .stack import HOLD_TTL_S

FINAL = ("delivered", "undelivered", "failed", "expired", "canceled")
# Final statuses for which the customer pays: the operator took the message (a failure
# receipt is charged by default, sched.refund_failed_receipts = false). The others were refunded.
PAID = ("delivered", "undelivered", "expired")
# The error of a message whose hold expired before it was sent (smsgw-ledger's sweeper): expired,
# and refunded.
HOLD_EXPIRED = "not sent before its hold expired"


def wait_final(stack, accepted_ids, seconds):
    """Polls the report database until every accepted id has a final status; returns the rows
    {id: (status, cost, account, hold expired)} as they are at the end, and whether all became
    final."""
    deadline = time.monotonic() + seconds
    ids = set(accepted_ids)
    while True:
        rows = {r[0]: (r[1], int(r[2] or 0), int(r[3]), r[4] == "t") for r in stack.psql(
            "SELECT id, status, cost, account_id, coalesce(error = '" + HOLD_EXPIRED + "', false) FROM messages")}
        pending = [i for i in ids if i not in rows or rows[i][0] not in FINAL]
        if not pending or time.monotonic() > deadline:
            return rows, not pending
        time.sleep(2)


def smsc_witness(path):
    """token -> how many times the SMSC received a submit_sm carrying it."""
    counts = collections.Counter()
    token = re.compile(r"chaos-\d+")
    with open(path, errors="replace") as f:
        for line in f:
            for t in token.findall(line):
                counts[t] += 1
    return counts


def balances_released(stack, accounts, seconds):
    """{account id: balance JSON} and {account id: error}, polled until nothing is held or
    `seconds` pass. A debit whose message never reached a queue (smsgw-api killed between the
    ledger's answer and its enqueue, the client retrying) stays held until api.hold_ttl_s, when
    the ledger's sweeper returns it: held money is only wrong if it never comes back."""
    deadline = time.monotonic() + seconds
    while True:
        # One `smsctl account list` a poll: every account's balance and held, from the ledger.
        r = stack.smsctl("account", "list", "--output", "json", check=False)
        if r.returncode != 0:
            return {}, {a["id"]: r.stderr.strip() for a in accounts}
        listed = {row["id"]: row for row in json.loads(r.stdout)}
        balances = {a["id"]: listed[a["id"]] for a in accounts if a["id"] in listed}
        errors = {a["id"]: "not listed" for a in accounts if a["id"] not in listed}
        if errors or all(b.get("held", 0) == 0 for b in balances.values()) or time.monotonic() > deadline:
            return balances, errors
        time.sleep(5)


def callbacks_missing(receiver, rows, book, callback_tokens, seconds):
    """Tokens sent with a callback_url whose final status was never POSTed to it, after
    waiting up to `seconds` for the sender to catch up (it retries with backoff)."""
    deadline = time.monotonic() + seconds
    while True:
        with receiver.lock:
            missing = [t for t in callback_tokens if t in book.accepted and
                       receiver.calls.get((book.accepted[t], rows.get(book.accepted[t], ("",))[0]), 0) == 0]
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(2)


def judge(stack, book, accounts, faults_done, drain_s, witness_path, receiver, callback_tokens):
    rows, all_final = wait_final(stack, book.accepted.values(), drain_s)
    final = collections.Counter()
    stuck = []
    lost = []
    for token, mid in book.accepted.items():
        row = rows.get(mid)
        if row is None:
            lost.append(token)
        elif row[0] in FINAL:
            final[row[0]] += 1
        else:
            stuck.append((token, row[0], mid))
    seen = smsc_witness(witness_path)
    refused_sent = [t for t in book.refused if seen.get(t, 0) > 0]
    duplicated = sum(1 for t in book.accepted if seen.get(t, 0) > 1)
    unsent_paid = [t for t, mid in book.accepted.items()
                   if rows.get(mid) and rows[mid][0] in ("delivered", "undelivered") and seen.get(t, 0) == 0]

    # Money, per account, from the client's side: what it paid is what it put in less what is
    # left, and that must be the price of the messages the operator took.
    mismatches = []
    paid = collections.Counter()
    for mid, (status, cost, account, hold_expired) in rows.items():
        if status in PAID and not hold_expired:
            paid[account] += cost
    balances, errors = balances_released(stack, accounts, HOLD_TTL_S + 60)
    reconcile = stack.smsctl("ledger", "reconcile", "--output", "json", check=False)
    for a in accounts:
        if a["id"] in errors:
            mismatches.append(f"account {a['id']}: balance unreadable: {errors[a['id']]}")
            continue
        b = balances[a["id"]]
        spent = a["topup"] - b["balance"] - b.get("held", 0)
        if b.get("held", 0) != 0:
            mismatches.append(f"account {a['id']}: {b['held']} still held {HOLD_TTL_S} s after the load")
        if spent != paid[a["id"]]:
            mismatches.append(f"account {a['id']}: paid {spent}, but its sent messages cost {paid[a['id']]}")
    if reconcile.returncode != 0:
        mismatches.append("smsctl ledger reconcile: exit " + str(reconcile.returncode) + ": " +
                          (reconcile.stdout + reconcile.stderr).strip()[-500:])
    missing_callbacks = callbacks_missing(receiver, rows, book, callback_tokens, 120)
    with receiver.lock:
        callbacks = sum(receiver.calls.values())
        repeated = sum(n - 1 for n in receiver.calls.values() if n > 1)
    return {
        "callbacks": callbacks,
        "callbacks_repeated": repeated,
        "missing_callbacks": missing_callbacks,
        "faults": faults_done,
        "accepted": len(book.accepted),
        "refused": len(book.refused),
        "unknown": len(book.unknown),
        "final": dict(final),
        "lost": lost,
        "stuck": stuck,
        "duplicated": duplicated,
        "refused_sent": refused_sent,
        "unsent_paid": unsent_paid,
        "ledger_mismatches": mismatches,
        "all_final": all_final,
    }
