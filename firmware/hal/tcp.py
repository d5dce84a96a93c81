# Connected TCP (optionally TLS) streams for the MQTT client; the same socket API on ESP32 and unix.
from micropython import const
import errno
import socket

from node.net import wait

_IPPROTO_TCP = const(6)


def _load_ca(ctx, path):
    # Every certificate of the CA file into the context: a DER file holds one; a PEM file one or a
    # bundle of several, each handed over as DER (not every port's mbedTLS parses PEM, and one
    # call takes one DER certificate; the calls add up to the chain of trust).
    import binascii

    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"-----BEGIN"):
        ctx.load_verify_locations(cadata=data)
        return
    for block in data.split(b"-----BEGIN CERTIFICATE-----")[1:]:
        body = block.split(b"-----END", 1)[0]
        ctx.load_verify_locations(cadata=binascii.a2b_base64(body.replace(b"\n", b"").replace(b"\r", b"")))


async def connect_tcp(host, port, ca=None, timeout_ms=10000, nodelay=None):
    # -> a connected non-blocking socket. ca: path of a CA certificate (PEM or DER) or a PEM bundle
    # on flash: TLS, the server's certificate is verified against it and against the host name
    # (SNI too). nodelay: the TCP_NODELAY option number where the port has it (the HAL knows), or
    # None. The caller bounds the whole call with its timeout; the name lookup is the one blocking
    # step.
    family, kind, proto, _, addr = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setblocking(False)
    if nodelay is not None:
        # MQTT is small requests and replies: without this, Nagle's algorithm holds back the end
        # of a packet until the broker's delayed ACK (40 ms and more per message).
        sock.setsockopt(_IPPROTO_TCP, nodelay, 1)
    try:
        try:
            sock.connect(addr)
        except OSError as e:
            if e.errno != errno.EINPROGRESS:
                raise
        if ca is not None:  # TLS even for an empty name (which then fails): never plain text instead
            import ssl

            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.verify_mode = ssl.CERT_REQUIRED
            _load_ca(ctx, ca)
            sock = ctx.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
        await wait.writable(sock)
    except BaseException:
        sock.close()
        raise
    return sock
