# A connected TCP (optionally TLS) stream with a timeout; the same socket API on ESP32 and unix.
import socket


def open_tcp(host, port, tls=False, timeout_ms=10000):
    family, kind, proto, _, addr = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.settimeout(timeout_ms / 1000)
    try:
        sock.connect(addr)
        if tls:
            import ssl

            sock = ssl.wrap_socket(sock, server_hostname=host)
    except Exception:
        sock.close()
        raise
    return sock
