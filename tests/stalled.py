"""A server that accepts TCP connections on 127.0.0.1 and never answers, like a hung Redis or
database: connecting works, every reply is waited for in vain."""

import socket
import threading
import time


class StalledServer:
    """Use as a context manager; `port` to connect to, `connections` accepted so far."""

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.accept_forever, daemon=True)

    @property
    def connections(self):
        return len(self.accepted)

    def accept_forever(self):
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)  # held open, never read from or written to

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join(timeout=5)
        for connection in self.accepted:
            connection.close()
        self.listener.close()


class FreezableProxy:
    """
    A TCP proxy on 127.0.0.1 to `host:port` that passes bytes both ways until `freeze()`, then
    holds every connection open and passes nothing: a server that stops answering on
    connections that are already open.
    """

    def __init__(self, host, port):
        self.target = (host, port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.stopping = threading.Event()
        self.sockets = []
        self.threads = [threading.Thread(target=self.accept_forever, daemon=True)]

    def freeze(self):
        self.frozen.set()
        time.sleep(0.3)  # every pipe has noticed (each waits at most 0.1 s for data)

    def accept_forever(self):
        while not self.stopping.is_set():
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(self.target, timeout=5)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                thread = threading.Thread(target=self.pipe, args=(source, sink), daemon=True)
                self.threads.append(thread)
                thread.start()

    def pipe(self, source, sink):
        source.settimeout(0.1)
        while not self.stopping.is_set():
            if self.frozen.is_set():
                self.stopping.wait(0.1)
                continue
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            try:
                sink.sendall(data)
            except OSError:
                return

    def __enter__(self):
        self.threads[0].start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()
        self.listener.close()
