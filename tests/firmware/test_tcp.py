# hal/tcp.py against stand-in socket modules: TCP_NODELAY only where the ESP32 port has it (1.22
# would print a warning line on every connect), and a CA bundle hands over every certificate.
import binascii

import esp32standins  # noqa: F401  (machine and network for hal.esp32)
from hal import tcp


class FakeSocket:
    def __init__(self, *args):
        self.options = []
        self.closed = False

    def setblocking(self, flag):
        pass

    def setsockopt(self, level, option, value):
        self.options.append((level, option, value))

    def connect(self, addr):
        raise OSError(111)  # refused: connect_tcp gives up here, after the options

    def close(self):
        self.closed = True


class SocketModule:
    SOCK_STREAM = 1

    def __init__(self, nodelay):
        self.made = []
        if nodelay is not None:
            self.TCP_NODELAY = nodelay

    def getaddrinfo(self, host, port, family, kind):
        return [(2, 1, 6, "", (host, port))]

    def socket(self, *args):
        self.made.append(FakeSocket())
        return self.made[-1]


async def connect_with(module):
    from hal import esp32

    real = tcp.socket, esp32.socket
    tcp.socket = esp32.socket = module
    try:
        await esp32.connect_tcp("broker", 1883)
    except OSError as e:
        assert e.args[0] == 111
    finally:
        tcp.socket, esp32.socket = real
    return module.made[0]


async def test_tcp_nodelay_only_where_the_port_has_it():
    old = await connect_with(SocketModule(None))  # MicroPython 1.22
    assert old.options == [] and old.closed
    new = await connect_with(SocketModule(1))  # 1.23 and later
    assert new.options == [(6, 1, 1)]


def pem(der):
    text = binascii.b2a_base64(der).replace(b"\n", b"")
    lines = b"\n".join(text[i:i + 64] for i in range(0, len(text), 64))
    return b"-----BEGIN CERTIFICATE-----\n" + lines + b"\n-----END CERTIFICATE-----\n"


class Context:
    def __init__(self):
        self.loaded = []

    def load_verify_locations(self, cadata):
        self.loaded.append(bytes(cadata))


def test_a_ca_bundle_hands_over_every_certificate():
    first, second = b"\x30\x03first", b"\x30\x04second"
    with open("bundle.pem", "wb") as f:
        f.write(pem(first) + pem(second))
    ctx = Context()
    tcp._load_ca(ctx, "bundle.pem")
    assert ctx.loaded == [first, second]
    with open("one.der", "wb") as f:
        f.write(first)
    ctx = Context()
    tcp._load_ca(ctx, "one.der")
    assert ctx.loaded == [first]


class Connected(FakeSocket):
    def connect(self, addr):
        pass


async def test_an_empty_ca_name_is_a_failed_tls_connection_never_plain_text():
    # The validator refuses mqtts:// without a CA; should "" still arrive, TLS fails (no file of
    # that name), where once it meant a plain TCP connection.
    module = SocketModule(None)
    module.socket = lambda *args: module.made.append(Connected()) or module.made[-1]
    waited = []

    async def writable(sock):
        waited.append(sock)

    real = tcp.socket, tcp.wait.writable
    tcp.socket, tcp.wait.writable = module, writable
    try:
        await tcp.connect_tcp("broker", 8883, "")
        raise AssertionError("connected without TLS")
    except OSError:
        pass
    finally:
        tcp.socket, tcp.wait.writable = real
    assert waited == [] and module.made[0].closed
