# Connected TCP (optionally TLS) streams for the MQTT client; the same socket API on ESP32 and unix.
import errno
import socket

from node import clock

_IPPROTO_TCP = 6
_TCP_NODELAY = 1


def _der(path):
    # The CA certificate as DER, which MicroPython's TLS takes; PEM (the usual file) is unwrapped.
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"-----BEGIN"):
        return data
    import binascii

    body = data.split(b"-----")[2]  # between BEGIN CERTIFICATE----- and -----END
    return binascii.a2b_base64(body.replace(b"\n", b"").replace(b"\r", b""))


async def connect_tcp(host, port, ca=None, timeout_ms=10000):
    # -> a connected non-blocking socket. ca: path of a CA certificate (PEM or DER) on flash: TLS,
    # the server's certificate is verified against it and against the host name (SNI too).
    # The caller bounds the whole call with its timeout; the name lookup is the one blocking step.
    family, kind, proto, _, addr = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setblocking(False)
    try:
        # MQTT is small requests and replies: without this, Nagle's algorithm holds back the end
        # of a packet until the broker's delayed ACK (40 ms and more per message).
        sock.setsockopt(_IPPROTO_TCP, _TCP_NODELAY, 1)
    except OSError:
        pass  # the stack may not offer it; slower, still correct
    try:
        try:
            sock.connect(addr)
        except OSError as e:
            if e.errno != errno.EINPROGRESS:
                raise
        if ca:
            import ssl

            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cadata=_der(ca))
            sock = ctx.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
        await clock.wait_writable(sock)
    except BaseException:
        sock.close()
        raise
    return sock
