"""Broker addresses as users write them: mqtt://[USER@]HOST[:PORT] (mqtts:// for TLS). One parser
for every command that takes --broker; a wrong address is bad input that says what was expected."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from reallabor.errors import EXIT_BAD_INPUT, ReallaborError


@dataclass(frozen=True)
class BrokerUrl:
    host: str
    port: int
    tls: bool = False
    user: str | None = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_url(text: str) -> BrokerUrl:
    try:
        text.encode("utf-8")  # an argument that is not UTF-8 has surrogates in Python
        parts = urlsplit(text)
        port = parts.port
    except (ValueError, UnicodeEncodeError):  # a port that is no number or out of range
        raise ReallaborError("broker.bad_url", EXIT_BAD_INPUT, url=text) from None
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.password is not None or port == 0:
        raise ReallaborError("broker.bad_url", EXIT_BAD_INPUT, url=text)
    tls = parts.scheme == "mqtts"
    return BrokerUrl(parts.hostname, port or (8883 if tls else 1883), tls, parts.username)
