"""A TCP proxy on loopback between a simulated device and the broker that knows where MQTT packets
begin and end, so a fault script can cut a connection at a chosen packet type or take the network
down (every connection closed, new ones closed at once)."""

import socket
import threading

from reallabor.mqtt.mosquitto import free_port
from reallabor.traces.fileformat import MQTT_PACKETS

_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux


def split_packets(buf: bytearray) -> list[bytes]:
    """Removes the complete MQTT packets from the front of buf and returns them."""
    out = []
    while len(buf) >= 2:
        n, shift, i = 0, 0, 1
        while True:
            if i >= len(buf):
                return out
            byte = buf[i]
            n |= (byte & 0x7F) << shift
            i += 1
            if not byte & 0x80 or i > 4:
                break
            shift += 7
        if len(buf) < i + n:
            return out
        out.append(bytes(buf[:i + n]))
        del buf[:i + n]
    return out


class Proxy:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self.network_up = True
        self.cuts: list[str] = []  # packet types at which connections were cut, in order
        self._cut_at = None  # packet type number armed for the next cut
        self._lock = threading.Lock()
        self._conns: set[tuple[socket.socket, socket.socket]] = set()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def cut(self, packet: str) -> None:
        """The next packet of this type (either direction) is not forwarded: the connection ends."""
        with self._lock:
            self._cut_at = MQTT_PACKETS[packet]

    def set_network(self, up: bool) -> None:
        with self._lock:
            self.network_up = up
            conns = list(self._conns) if not up else []
        for pair in conns:
            self._close(pair)

    def close(self) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self._listener.close()
        self.set_network(False)

    def __enter__(self) -> "Proxy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if not self.network_up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=2)
            except OSError:  # the broker is stopped
                client.close()
                continue
            for s in (client, upstream):
                s.settimeout(None)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair = (client, upstream)
            with self._lock:
                self._conns.add(pair)
            threading.Thread(target=self._pump, args=(pair, client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(pair, upstream, client), daemon=True).start()

    def _pump(self, pair, src: socket.socket, dst: socket.socket) -> None:
        buf = bytearray()
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if _QUICKACK:  # acknowledge at once, so a sender without TCP_NODELAY is not held back
                    src.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
                buf += data
                for packet in split_packets(buf):
                    kind = packet[0] >> 4
                    with self._lock:
                        cut = self._cut_at == kind
                        if cut:
                            self._cut_at = None
                            self.cuts.append(next(k for k, v in MQTT_PACKETS.items() if v == kind))
                    if cut:
                        return
                    dst.sendall(packet)
        except OSError:
            pass
        finally:
            self._close(pair)

    def _close(self, pair) -> None:
        with self._lock:
            self._conns.discard(pair)
        for s in pair:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
