"""A TCP proxy that stands between a daemon and one of its servers, for network faults.

Each Proxy listens on a loopback port and forwards to its target. A fault is one of:
  cut()            every open connection is closed at once (a reset link, a server failover);
  stall(seconds)   bytes stop moving both ways for a while, connections stay open (a partition
                   that TCP does not notice; the daemons' own timeouts must);
  delay(ms, secs)  every chunk waits `ms` before it is forwarded, for a while (a slow network).
All proxies run on one asyncio loop in a background thread; the methods are thread-safe.
"""

import asyncio
import threading
import time


class Proxy:
    def __init__(self, hub, name, listen_port, target_port):
        self.hub = hub
        self.name = name
        self.listen_port = listen_port
        self.target_port = target_port
        self.conns = set()
        self.stalled_until = 0.0
        self.delay_s = 0.0
        self.delay_until = 0.0
        self.bytes = 0
        self.cuts = 0

    async def _start(self):
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", self.listen_port)

    async def _accept(self, reader, writer):
        try:
            t_reader, t_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        pair = (writer, t_writer)
        self.conns.add(pair)
        try:
            await asyncio.gather(self._pump(reader, t_writer), self._pump(t_reader, writer))
        finally:
            self.conns.discard(pair)
            for w in pair:
                w.close()

    async def _pump(self, reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                while time.monotonic() < self.stalled_until:
                    await asyncio.sleep(0.01)
                if time.monotonic() < self.delay_until and self.delay_s > 0:
                    await asyncio.sleep(self.delay_s)
                writer.write(data)
                self.bytes += len(data)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    def _cut(self):
        self.cuts += 1
        for pair in list(self.conns):
            for w in pair:
                w.transport.abort()  # RST, not a polite FIN
        self.conns.clear()

    # --- faults, callable from any thread ---------------------------------------------------
    def cut(self):
        self.hub.call(self._cut)

    def stall(self, seconds):
        self.stalled_until = time.monotonic() + seconds

    def delay(self, ms, seconds):
        self.delay_s = ms / 1000.0
        self.delay_until = time.monotonic() + seconds


class ProxyHub:
    """The event loop thread that carries every proxy."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="chaos-proxies", daemon=True)
        self.thread.start()
        self.proxies = {}

    def call(self, fn):
        self.loop.call_soon_threadsafe(fn)

    def add(self, name, listen_port, target_port):
        p = Proxy(self, name, listen_port, target_port)
        asyncio.run_coroutine_threadsafe(p._start(), self.loop).result(timeout=10)
        self.proxies[name] = p
        return p

    def close(self):
        async def shutdown():
            for p in self.proxies.values():
                p.server.close()
                p._cut()
        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
