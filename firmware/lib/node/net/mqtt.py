# MQTT 3.1.1 client on asyncio (OASIS mqtt-v3.1.1, chapter 3). One request at a time: connect,
# publish (QoS 0, or QoS 1 waiting for its PUBACK), ping, disconnect. Each request is bounded by a
# timeout; a malformed or unexpected reply raises MQTTError. Any error closes the connection, so
# the caller's only recovery is to connect again. Packet bytes are built apart from the I/O so
# tests check them byte for byte; buffers are allocated once per client.
from micropython import const
import struct
import asyncio

from node import clock
from node.net import wait

_CONNECT = const(0x10)
_CONNACK = const(0x20)
_PUBLISH = const(0x30)
_PUBACK = const(0x40)
_PINGREQ = const(0xC0)
_PINGRESP = const(0xD0)
_DISCONNECT = const(0xE0)

# PUBLISH fixed-header flags (3.3.1)
_DUP = const(0x08)
_QOS1 = const(0x02)
_RETAIN = const(0x01)

# CONNECT flags (3.1.2.3)
_FLAG_USER = const(0x80)
_FLAG_PASSWORD = const(0x40)
_FLAG_WILL_RETAIN = const(0x20)
_FLAG_WILL_QOS1 = const(0x08)
_FLAG_WILL = const(0x04)
_FLAG_CLEAN = const(0x02)

_MAX_SKIP = const(4096)  # longest packet we read past without being asked (a PUBLISH to us)
_ONE_WRITE = const(512)  # a payload up to this long goes out in the same write as its header
_TOPIC_ROOM = const(119)  # topic bytes the send buffer has room for from the start (ours take ~40)

# CONNACK return codes (3.2.2.3)
REFUSED = {1: "protocol version", 2: "client id rejected", 3: "server unavailable", 4: "bad user name or password", 5: "not authorised"}


class MQTTError(Exception):
    pass


def _put_length(buf, i, n):
    # Remaining length (2.2.3): 7 bits per byte, high bit = more follows. Returns the next index.
    while True:
        byte = n & 0x7F
        n >>= 7
        buf[i] = byte | 0x80 if n else byte
        i += 1
        if not n:
            return i


def _remaining_length(n):
    buf = bytearray(4)
    return bytes(buf[:_put_length(buf, 0, n)])


def _string(s):
    b = s if isinstance(s, (bytes, bytearray)) else s.encode()
    return struct.pack("!H", len(b)) + b


def connect_packet(client_id, keepalive_s, user=None, password=None, will=None, clean=True):
    # will = (topic, message, retain), sent with QoS 1 so the broker delivers it reliably.
    flags = _FLAG_CLEAN if clean else 0
    payload = _string(client_id)
    if will:
        flags |= _FLAG_WILL | _FLAG_WILL_QOS1 | (_FLAG_WILL_RETAIN if will[2] else 0)
        payload += _string(will[0]) + _string(will[1])
    if user is not None:
        flags |= _FLAG_USER
        payload += _string(user)
        if password is not None:
            flags |= _FLAG_PASSWORD
            payload += _string(password)
    body = b"\x00\x04MQTT\x04" + bytes((flags,)) + struct.pack("!H", keepalive_s) + payload
    return bytes((_CONNECT,)) + _remaining_length(len(body)) + body


def publish_header(buf, topic_len, payload_len, retain=False, qos=0, dup=False):
    # Fixed header, remaining length and topic length prefix into buf (>= 7 bytes); returns the
    # byte count. Topic, packet id (QoS 1) and payload follow on the wire.
    buf[0] = _PUBLISH | (_QOS1 | (_DUP if dup else 0) if qos else 0) | (_RETAIN if retain else 0)
    i = _put_length(buf, 1, 2 + topic_len + (2 if qos else 0) + payload_len)
    struct.pack_into("!H", buf, i, topic_len)
    return i + 2


def _accepted(flags, code):
    if flags > 1:  # only "session present" may be set (3.2.2.2)
        raise MQTTError("malformed CONNACK flags 0x%02x" % flags)
    if code:
        raise MQTTError("connection refused: %s" % REFUSED.get(code, "code %d" % code))
    return flags == 1


class Timeout:
    # A bound on what a task does: arm(ms), then, unless disarm() comes first, the task that armed
    # it is cancelled once ms have passed and `expired` says why. What wait_for_ms gives a request,
    # without the two tasks wait_for makes per request: a watcher task sleeps until the deadline and
    # ends when it finds nothing armed; arm() makes one only if none is watching. Here, not in
    # node.clock: only an MQTT node carries it in RAM.
    def __init__(self):
        self.expired = False
        self._task = None  # the armed task
        self._due = 0
        self._watching = False

    def arm(self, ms):
        self._task = asyncio.current_task()
        self._due = clock.add(clock.ticks(), ms)
        self.expired = False
        if not self._watching:
            asyncio.create_task(self._watch())
            self._watching = True

    def disarm(self):
        self._task = None

    async def _watch(self):
        try:
            while self._task is not None:
                left = clock.diff(self._due, clock.ticks())
                if left > 0:
                    await asyncio.sleep_ms(left)  # armed again meanwhile: a later deadline
                    continue
                task, self._task = self._task, None
                self.expired = True
                task.cancel()
        finally:
            self._watching = False


class MQTTClient:
    # connect_tcp(host, port, ca, timeout_ms) is the HAL's: an awaitable giving a connected
    # non-blocking stream with readinto/write/close (None = would block, as MicroPython sockets).
    def __init__(self, connect_tcp, host, port, client_id, user=None, password=None, keepalive_s=60, will=None,
                 ca=None, clean=True, timeout_ms=10000):
        self._open = connect_tcp
        self.host = host
        self.port = port
        self.ca = ca  # path of the CA certificate for TLS, or None for plain TCP
        self.timeout_ms = timeout_ms
        self._connect = connect_packet(client_id, keepalive_s, user, password, will, clean)
        self._sock = None
        # Made now, while the heap is young: a free block of this size may be hard to find hours
        # later, and every message that goes out in one write fits (9: header, lengths, id).
        self._tx = bytearray(9 + _TOPIC_ROOM + _ONE_WRITE)
        self._rx = bytearray(8)
        self._rxv = memoryview(self._rx)
        self.last_tx = clock.ticks()  # when we last sent a packet (keepalive, 3.1.2.10)
        self._timeout = Timeout()

    @property
    def connected(self):
        return self._sock is not None

    async def connect(self):
        # -> session present (the broker kept our session from an earlier connection)
        self.close()
        return await self._timed(self._connect_io())

    async def publish(self, topic, payload, retain=False, qos=0, pid=0, dup=False):
        # topic and payload: str or bytes-like. QoS 1 returns once the broker's PUBACK arrived.
        await self._timed(self._publish_io(memoryview(topic), memoryview(payload), retain, qos, pid, dup))

    async def ping(self):
        await self._timed(self._ping_io())

    async def disconnect(self):
        if self._sock:
            try:
                self._tx[0] = _DISCONNECT
                self._tx[1] = 0
                await self._timed(self._send(memoryview(self._tx)[:2]))
            finally:
                self.close()

    def close(self):
        if self._sock:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None

    async def _timed(self, coro):
        # Every request gets the same bound. While we wait for the broker the simulator lets
        # virtual time follow real time, so the timeout means the same at any replay speed. The
        # request runs in the caller's task, so whatever cuts it (the timeout, a MemoryError) ends
        # it there and then, never leaving it running on a closed socket.
        clock.hold()
        try:
            self._timeout.arm(self.timeout_ms)
            return await coro
        except asyncio.CancelledError:
            self.close()
            if not self._timeout.expired:
                raise
            raise MQTTError("no answer within %d ms" % self.timeout_ms)
        except ValueError as e:  # MicroPython's TLS: the certificate did not verify
            self.close()
            raise MQTTError("TLS: %s" % str(e).strip())
        except BaseException:
            self.close()
            raise
        finally:
            self._timeout.disarm()
            clock.release()

    async def _connect_io(self):
        self._sock = await self._open(self.host, self.port, self.ca, self.timeout_ms)
        await self._send(self._connect)
        kind = (await self._packet())[0]
        if kind != _CONNACK:
            raise MQTTError("expected CONNACK, got packet type 0x%02x" % kind)
        return _accepted(self._rx[0], self._rx[1])

    async def _publish_io(self, topic, payload, retain, qos, pid, dup):
        # Header, topic, packet id and a payload of up to _ONE_WRITE bytes in one write: one TCP
        # segment, which wakes the broker once. A longer payload follows in a second write rather
        # than take that much RAM for a copy.
        whole = len(payload) <= _ONE_WRITE
        n = 9 + len(topic) + (len(payload) if whole else 0)
        if len(self._tx) < n:
            # a longer topic than foreseen: grown, with room for the next few bytes more (a
            # message grows by a digit now and then, and each new buffer needs a free block)
            self._tx = bytearray(n + 63 & ~63)
        tx = self._tx
        i = publish_header(tx, len(topic), len(payload), retain, qos, dup)
        tx[i:i + len(topic)] = topic
        i += len(topic)
        if qos:
            struct.pack_into("!H", tx, i, pid)
            i += 2
        if whole:
            tx[i:i + len(payload)] = payload
            i += len(payload)
        await self._send(memoryview(tx)[:i])
        if not whole:
            await self._send(payload)
        while qos:
            kind, n = await self._packet()
            if kind == _PUBACK and (self._rx[0] << 8 | self._rx[1]) == pid:
                return
            await self._other()  # a PUBACK for an earlier attempt, a PINGRESP, a PUBLISH to us

    async def _ping_io(self):
        self._tx[0] = _PINGREQ
        self._tx[1] = 0
        await self._send(memoryview(self._tx)[:2])
        while (await self._packet())[0] != _PINGRESP:
            await self._other()

    async def _other(self):
        # A packet that is not the answer: keep waiting, but one such packet per turn. Reads only
        # wait when the socket has nothing, so a broker that floods us would otherwise keep every
        # other task (the sampling, this request's timeout) from running.
        await asyncio.sleep_ms(0)

    async def _send(self, data):
        sock = self._sock
        while data:
            n = sock.write(data)
            if n is None:
                await wait.writable(sock)
            else:
                data = data[n:]
        self.last_tx = clock.ticks()

    async def _recv(self, n):
        # exactly n bytes into self._rx
        sock = self._sock
        got = 0
        while got < n:
            r = sock.readinto(self._rxv[got:n])
            if r is None:
                await wait.readable(sock)
            elif not r:
                raise MQTTError("connection closed by the broker")
            else:
                got += r

    async def _packet(self):
        # Reads one packet from the broker -> (type byte, remaining length); a CONNACK or PUBACK
        # body is in self._rx[:2]. A PUBLISH to us is read past; anything else a client cannot
        # receive, or with a wrong length or flags, is a protocol error.
        await self._recv(2)  # every packet starts with its type and at least one length byte
        kind, b = self._rx[0], self._rx[1]
        n = b & 0x7F
        shift = 0
        while b & 0x80:  # more length bytes follow, 7 bits each, at most 4 in all
            shift += 7
            if shift > 21:
                raise MQTTError("malformed remaining length")
            await self._recv(1)
            b = self._rx[0]
            n |= (b & 0x7F) << shift
        if kind & 0xF0 == _PUBLISH:
            if n > _MAX_SKIP:
                raise MQTTError("PUBLISH of %d bytes from the broker" % n)
            while n:
                k = min(n, len(self._rx))
                await self._recv(k)
                n -= k
            return kind, 0
        if not ((kind == _CONNACK or kind == _PUBACK) and n == 2 or kind == _PINGRESP and n == 0):
            raise MQTTError("unexpected packet type 0x%02x, length %d" % (kind, n))
        await self._recv(n)
        return kind, n
