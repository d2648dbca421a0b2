"""A webhook receiver: counts the status callbacks each message gets."""

import collections
import http.server
import json
import threading

from .procs import free_port


class Receiver:
    def __init__(self):
        self.port = free_port()
        self.calls = collections.Counter()      # (message id, status) -> deliveries
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    event = json.loads(body)
                    with receiver.lock:
                        receiver.calls[(event.get("message_id"), event.get("status"))] += 1
                except ValueError:
                    pass
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
