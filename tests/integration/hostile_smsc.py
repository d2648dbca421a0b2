#!/usr/bin/env python3
"""A hostile SMSC for sched_hostile_smsc_test: SMPP 3.4 over asyncio, written from the
specification with Python's struct module, so it shares no code with lib/smpp (a peer that
decoded with our own codec could not send what that codec refuses).

    hostile_smsc.py PORT [--receipt-delay-ms MS] [--flood N] [--flood-s S] [--stall-s S]

Binds anyone (bind_transceiver, transmitter or receiver). What it does with a submit_sm
depends on the message text's first word, so a test decides each message's ordeal:

  ok        an id in hex, then a DELIVRD receipt (TLVs and Appendix B text)
  long      a 64-octet id (the most SMPP allows), then its receipt
  binary    an id of bytes that are not UTF-8, then a receipt naming the same bytes
  empty     status 0 with an empty id (every other one with no body at all); its receipt names
            no id either
  dup       the same id for two messages in a row, and a receipt for each
  oversized first time: a 70-octet id (past SMPP's 65 with its NUL); then as ok
  wrongseq  first time: the response carries another sequence number; then as ok
  wrongtype first time: enquire_link_resp answers the submit_sm; then as ok
  nack      first time: generic_nack ESME_RSYSERR; then as ok
  flood     answered, then N deliver_sm (MO) written without reading anything more, until
            pushed back (writes blocked --pushback-s) or --flood-s passed; then the connection
            is dropped
  stall     first time: nothing more is answered nor read on that connection for --stall-s,
            then it is dropped

After every bind it also sends malformed and stray deliver_sm (truncated, a TLV past the end,
sm_length 255, a receipt of garbage text, receipts of ids nobody was given, odd TLVs, an
unknown command, an MO of binary text) and notes which were answered. Receipts not
acknowledged ESME_ROK are sent again (after ESME_RX_T_APPN, or on the next bind), as SMSCs do.

Everything it does is one JSON line on stdout; SIGTERM prints the totals and exits.
Loopback only; every loop is bounded in count and time.
"""

import argparse
import asyncio
import json
import signal
import struct
import sys
import time
from collections import Counter

GENERIC_NACK = 0x80000000
BIND_RX, BIND_TX, BIND_TRX = 0x00000001, 0x00000002, 0x00000009
SUBMIT_SM, SUBMIT_SM_RESP = 0x00000004, 0x80000004
DELIVER_SM, DELIVER_SM_RESP = 0x00000005, 0x80000005
UNBIND, UNBIND_RESP = 0x00000006, 0x80000006
ENQUIRE_LINK, ENQUIRE_LINK_RESP = 0x00000015, 0x80000015
DATA_SM = 0x00000103
ESME_RSYSERR = 0x00000008
TAG_RECEIPTED_ID, TAG_MESSAGE_STATE = 0x001E, 0x0427


def log(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def pdu(command_id, seq, body=b"", status=0):
    return struct.pack(">IIII", 16 + len(body), command_id, status, seq) + body


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


def sm_body(short_message, esm_class=0, data_coding=0, tlvs=b"", sm_length=None):
    """deliver_sm's mandatory fields (section 4.6.1), then the TLVs."""
    length = len(short_message) if sm_length is None else sm_length
    return (b"\0" + b"\x01\x01" + b"989121234567\0" + b"\x05\x00" + b"SMSGW\0" +
            bytes([esm_class, 0, 0]) + b"\0\0" + bytes([0, 0, data_coding, 0, length]) +
            short_message + tlvs)


def receipt_body(message_id, stat=b"DELIVRD", extra_tlvs=b""):
    text = (b"id:" + message_id + b" sub:001 dlvrd:001 submit date:2611301200 done date:2611301201 stat:" +
            stat + b" err:000 text:hostile")
    tlvs = tlv(TAG_RECEIPTED_ID, message_id + b"\0") + tlv(TAG_MESSAGE_STATE, b"\x02")
    return sm_body(text, esm_class=0x04, tlvs=tlvs + extra_tlvs)


def c_string(body, at, limit):
    end = body.find(b"\0", at, at + limit)
    if end < 0:
        raise ValueError("C-string without NUL")
    return body[at:end], end + 1


def submit_text(body):
    """The short_message of a submit_sm body (section 4.4.1), as Latin-1 text."""
    _, at = c_string(body, 0, 6)             # service_type
    at += 2
    _, at = c_string(body, at, 21)           # source_addr
    at += 2
    _, at = c_string(body, at, 21)           # destination_addr
    at += 3
    _, at = c_string(body, at, 17)           # schedule_delivery_time
    _, at = c_string(body, at, 17)           # validity_period
    at += 4
    length = body[at]
    return body[at + 1:at + 1 + length].decode("latin-1")


# Malformed and stray deliver_sm sent after each bind: (kind, command id, body, answer wanted).
def malformed_set(n):
    stray = b"\xfe\xfd" + str(n).encode()
    return [
        ("truncated", DELIVER_SM, b"\0\x01\x01" + b"98912", "generic_nack"),
        ("tlv_past_end", DELIVER_SM, receipt_body(b"nobody-1") + struct.pack(">HH", 0x001E, 200) + b"abc",
         "generic_nack"),
        ("sm_length_255", DELIVER_SM, sm_body(b"x" * 255, sm_length=255), "generic_nack"),
        ("garbage_receipt", DELIVER_SM, sm_body(b"\x01\xff garbage \x80\x81 nothing here", esm_class=0x04),
         "deliver_sm_resp"),
        ("stray_binary_receipt", DELIVER_SM, receipt_body(stray), "deliver_sm_resp"),
        ("odd_tlvs", DELIVER_SM,
         sm_body(b"stat:DELIVRD", esm_class=0x04,
                 tlvs=tlv(TAG_RECEIPTED_ID, b"no-nul-" + str(n).encode()) + tlv(TAG_MESSAGE_STATE, b"\x02\x02") +
                 tlv(0x1400, b"\x00" * 10)), "deliver_sm_resp"),
        ("unknown_command", DATA_SM, b"\x00" * 20, "generic_nack"),
        ("mo_binary", DELIVER_SM, sm_body(b"\xff\xfe\x00\x80mo", data_coding=4), "deliver_sm_resp"),
    ]


class Smsc:
    def __init__(self, args):
        self.args = args
        self.seen = Counter()      # submit texts, how often
        self.next_id = 0x1000
        self.dups = 0
        self.empties = 0
        self.pending = {}          # receipt token -> deliver_sm body, until acknowledged ESME_ROK
        self.next_token = 0
        self.sessions = 0
        self.totals = Counter()
        self.answered_kinds = set()

    def new_id(self):
        self.next_id += 1
        return b"%x" % self.next_id

    def add_receipt(self, body):
        self.next_token += 1
        self.pending[self.next_token] = body
        return self.next_token


class Session:
    def __init__(self, smsc, reader, writer):
        self.smsc = smsc
        self.reader = reader
        self.writer = writer
        self.seq = 0
        self.sent = {}  # our sequence number -> ("receipt", token) | ("malformed", kind, wanted)
        self.open = True
        smsc.sessions += 1
        self.number = smsc.sessions

    def next_seq(self):
        self.seq += 1
        return self.seq

    def write(self, data):
        if self.open and not self.writer.is_closing():
            self.writer.write(data)

    async def run(self):
        try:
            while self.open:
                header = await self.reader.readexactly(16)
                length, command_id, status, seq = struct.unpack(">IIII", header)
                if length < 16 or length > 65536:
                    break
                body = await self.reader.readexactly(length - 16)
                await self.on_pdu(command_id, status, seq, body)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.close()

    def close(self):
        if self.open:
            self.open = False
            self.writer.transport.abort()
            log(event="closed", session=self.number)

    async def on_pdu(self, command_id, status, seq, body):
        s = self.smsc
        if command_id in (BIND_RX, BIND_TX, BIND_TRX):
            self.write(pdu(command_id | 0x80000000, seq, b"hostile\0"))
            log(event="bind", session=self.number)
            self.after_bind()
        elif command_id == ENQUIRE_LINK:
            self.write(pdu(ENQUIRE_LINK_RESP, seq))
        elif command_id == UNBIND:
            self.write(pdu(UNBIND_RESP, seq))
            self.close()
        elif command_id in (DELIVER_SM_RESP, GENERIC_NACK):
            self.on_answer(command_id, status, seq)
        elif command_id == SUBMIT_SM:
            await self.on_submit(seq, body)
        elif not command_id & 0x80000000:
            self.write(pdu(GENERIC_NACK, seq, status=0x00000003))

    def after_bind(self):
        s = self.smsc
        for kind, command_id, body, wanted in malformed_set(self.number):
            seq = self.next_seq()
            self.sent[seq] = ("malformed", kind, wanted)
            self.write(pdu(command_id, seq, body))
            s.totals["malformed sent"] += 1
        for token in list(s.pending):  # receipts not acknowledged on an earlier bind
            s.totals["receipts resent"] += 1
            self.send_receipt(token)

    def send_receipt(self, token):
        body = self.smsc.pending.get(token)
        if body is None or not self.open:
            return  # acknowledged meanwhile, or sent again on the next bind
        seq = self.next_seq()
        self.sent[seq] = ("receipt", token)
        self.write(pdu(DELIVER_SM, seq, body))

    def receipt_later(self, body):
        token = self.smsc.add_receipt(body)
        asyncio.get_running_loop().call_later(self.smsc.args.receipt_delay_ms / 1000, self.send_receipt, token)

    def on_answer(self, command_id, status, seq):
        s = self.smsc
        what = self.sent.pop(seq, None)
        if what is None:
            s.totals["answers to nothing"] += 1
            return
        if what[0] == "receipt":
            if command_id == DELIVER_SM_RESP and status == 0:
                s.pending.pop(what[1], None)
                s.totals["receipts acknowledged"] += 1
            else:
                s.totals["receipts refused"] += 1
                asyncio.get_running_loop().call_later(1.0, self.send_receipt, what[1])
            return
        _, kind, wanted = what
        got = "generic_nack" if command_id == GENERIC_NACK else "deliver_sm_resp"
        if got == wanted:
            s.answered_kinds.add(kind)
        log(event="malformed_answered", kind=kind, answer=got, status=status)

    async def on_submit(self, seq, body):
        s = self.smsc
        try:
            text = submit_text(body)
        except (ValueError, IndexError):
            self.write(pdu(SUBMIT_SM_RESP, seq, status=0x00000001))
            return
        mode = text.split(" ")[0]
        first = s.seen[text] == 0
        s.seen[text] += 1
        s.totals["submits"] += 1
        log(event="submit", text=text, attempt=s.seen[text])
        if first and mode == "oversized":
            self.write(pdu(SUBMIT_SM_RESP, seq, b"A" * 70 + b"\0"))
        elif first and mode == "wrongseq":
            self.write(pdu(SUBMIT_SM_RESP, seq ^ 0x40000000, b"%x\0" % seq))
        elif first and mode == "wrongtype":
            self.write(pdu(ENQUIRE_LINK_RESP, seq))
        elif first and mode == "nack":
            self.write(pdu(GENERIC_NACK, seq, status=ESME_RSYSERR))
        elif first and mode == "stall":
            log(event="stall", session=self.number, seconds=s.args.stall_s)
            await asyncio.sleep(s.args.stall_s)  # nothing read, nothing answered
            self.close()
        elif mode == "empty":
            s.empties += 1
            self.write(pdu(SUBMIT_SM_RESP, seq, b"\0" if s.empties % 2 else b""))
            self.receipt_later(receipt_body(b""))
        elif mode == "binary":
            message_id = b"\xff\xfe" + str(s.next_id).encode() + b"\x80"
            s.next_id += 1
            self.write(pdu(SUBMIT_SM_RESP, seq, message_id + b"\0"))
            self.receipt_later(receipt_body(message_id))
        elif mode == "dup":
            message_id = b"dup%d" % (s.dups // 2)
            s.dups += 1
            self.write(pdu(SUBMIT_SM_RESP, seq, message_id + b"\0"))
            self.receipt_later(receipt_body(message_id))
        else:
            message_id = s.new_id()
            if mode == "long":
                message_id = message_id.rjust(64, b"L")
            self.write(pdu(SUBMIT_SM_RESP, seq, message_id + b"\0"))
            self.receipt_later(receipt_body(message_id))
            if first and mode == "flood":
                await self.flood()

    async def flood(self):
        """deliver_sm (MO) as fast as the socket takes them, reading nothing meanwhile."""
        s = self.smsc
        args = s.args
        self.writer.transport.set_write_buffer_limits(high=64 * 1024)
        start = time.monotonic()
        written = 0
        pushed_back = False
        peer_closed = False
        message = sm_body(b"flood of mobile-originated messages")
        try:
            while written < args.flood and time.monotonic() - start < args.flood_s:
                for _ in range(100):
                    self.writer.write(pdu(DELIVER_SM, self.next_seq(), message))
                written += 100
                try:
                    await asyncio.wait_for(self.writer.drain(), timeout=args.pushback_s)
                except asyncio.TimeoutError:
                    pushed_back = True
                    break
        except ConnectionError:
            peer_closed = True
        peer_closed = peer_closed or self.writer.is_closing() or self.reader.at_eof()
        s.totals["flood written"] += written
        log(event="flood", written=written, wanted=args.flood, pushed_back=pushed_back, peer_closed=peer_closed,
            seconds=round(time.monotonic() - start, 2))
        self.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--receipt-delay-ms", type=int, default=200)
    ap.add_argument("--flood", type=int, default=1000000)
    ap.add_argument("--flood-s", type=float, default=20.0)
    ap.add_argument("--pushback-s", type=float, default=3.0)
    ap.add_argument("--stall-s", type=float, default=5.0)
    args = ap.parse_args()
    smsc = Smsc(args)

    async def serve(reader, writer):
        await Session(smsc, reader, writer).run()

    server = await asyncio.start_server(serve, "127.0.0.1", args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    log(event="listening", port=args.port)
    await stop.wait()
    server.close()
    log(event="totals", totals=dict(smsc.totals), answered_kinds=sorted(smsc.answered_kinds),
        pending_receipts=len(smsc.pending), sessions=smsc.sessions)


if __name__ == "__main__":
    asyncio.run(main())
