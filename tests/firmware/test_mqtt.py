# Byte-exact MQTT 3.1.1 packets (OASIS spec chapter 3) on an in-memory socket, the asyncio client's
# requests and replies, and every kind of malformed reply.
from hal import simtime
from node.net import mqtt
from support import MemorySocket, listener

CONNACK = b"\x20\x02\x00\x00"


def test_remaining_length_encoding():
    # spec 2.2.3 table 2.4 boundaries
    assert mqtt._remaining_length(0) == b"\x00"
    assert mqtt._remaining_length(127) == b"\x7f"
    assert mqtt._remaining_length(128) == b"\x80\x01"
    assert mqtt._remaining_length(16383) == b"\xff\x7f"
    assert mqtt._remaining_length(16384) == b"\x80\x80\x01"
    assert mqtt._remaining_length(2097152) == b"\x80\x80\x80\x01"


def test_connect_with_will():
    will = ("a/status", '{"state":"offline"}', True)
    p = mqtt.connect_packet("n1", 60, will=will)
    # flags 0x2e: will retain, will QoS 1, will flag, clean session
    body = (b"\x00\x04MQTT\x04\x2e\x00\x3c" + b"\x00\x02n1" + b"\x00\x08a/status"
            + b"\x00\x13" + b'{"state":"offline"}')
    assert p == b"\x10" + bytes((len(body),)) + body


def test_connect_with_credentials_and_kept_session():
    p = mqtt.connect_packet("dev", 30, user="u", password="pw", clean=False)
    body = b"\x00\x04MQTT\x04\xc0\x00\x1e\x00\x03dev\x00\x01u\x00\x02pw"
    assert p == b"\x10" + bytes((len(body),)) + body


def expected_publish(first, topic, pid, payload):
    body = bytes((len(topic) >> 8, len(topic) & 0xFF)) + topic + (bytes((pid >> 8, pid & 0xFF)) if pid else b"") + payload
    return bytes((first,)) + mqtt._remaining_length(len(body)) + body


def test_publish_headers():
    buf = bytearray(7)
    n = mqtt.publish_header(buf, 3, 2)
    assert buf[:n] == b"\x30\x07\x00\x03"  # QoS 0: no packet id
    n = mqtt.publish_header(buf, 3, 2, retain=True, qos=1)
    assert buf[:n] == b"\x33\x09\x00\x03"  # QoS 1 + retain, 2 more bytes for the id
    n = mqtt.publish_header(buf, 3, 2, qos=1, dup=True)
    assert buf[:n] == b"\x3a\x09\x00\x03"  # DUP
    n = mqtt.publish_header(buf, 1, 200)
    assert buf[:n] == b"\x30\xcb\x01\x00\x01"  # 203 = 0x4b | 0x80, 0x01
    n = mqtt.publish_header(buf, 3, 2, dup=True)
    assert buf[0] == 0x30  # DUP is never set on QoS 0 (3.3.1.1)


async def test_connack():
    for reply, present in ((b"\x20\x02\x00\x00", False), (b"\x20\x02\x01\x00", True)):  # session present
        c, _ = client(reply)
        assert await c.connect() is present
    c, sock = client(b"\x20\x02\x00\x05")
    e = await failing(c.connect())
    assert "not authorised" in str(e) and sock.closed


def client(incoming, opened=None, **kw):
    sock = MemorySocket(incoming)

    async def connect_tcp(host, port, ca, timeout_ms):
        if opened is not None:
            opened.append((host, port, ca, timeout_ms))
        return sock

    return mqtt.MQTTClient(connect_tcp, "broker", 1883, "n1", keepalive_s=60, **kw), sock


async def failing(coro):
    try:
        await coro
    except mqtt.MQTTError as e:
        return e
    raise AssertionError("MQTTError not raised")


async def test_session_bytes_on_the_wire():
    opened = []
    replies = CONNACK + b"\x40\x02\x00\x07" + b"\xd0\x00"
    c, sock = client(replies, opened, user="u", password="pw", clean=False, ca="ca.pem", timeout_ms=5000)
    assert await c.connect() is False
    assert opened == [("broker", 1883, "ca.pem", 5000)] and c.connected
    await c.publish("a/b", "hi")  # QoS 0
    await c.publish("a/b", b'{"x":"\xc2\xb0"}', retain=True, qos=1, pid=7)
    await c.ping()
    await c.disconnect()
    assert bytes(sock.sent) == (
        mqtt.connect_packet("n1", 60, "u", "pw", clean=False)
        + b"\x30\x07\x00\x03a/bhi"
        + expected_publish(0x33, b"a/b", 7, b'{"x":"\xc2\xb0"}')
        + b"\xc0\x00" + b"\xe0\x00"
    )
    assert sock.closed and not c.connected


async def test_utf8_payload_length_counts_bytes():
    c, sock = client(CONNACK)
    await c.connect()
    sock.sent = bytearray()
    await c.publish("t", "°C")
    assert bytes(sock.sent) == expected_publish(0x30, b"t", 0, "°C".encode())


async def test_a_publish_is_one_write_unless_its_payload_is_long():
    # Header, topic, packet id and payload in one write: one TCP segment the broker wakes up for (it
    # was four, then two). A payload longer than 512 bytes follows in a second write, not copied.
    for topic in (b"a/b", b"t" * 300):  # a remaining length of one byte, then of two
        for payload in (b"hi", b"p" * 512, b"p" * 513):
            c, sock = client(CONNACK + b"\x40\x02\x00\x07")
            await c.connect()
            sock.writes = []
            await c.publish(topic, payload, qos=1, pid=7)
            whole = expected_publish(0x32, topic, 7, payload)
            assert sock.writes == ([whole] if len(payload) <= 512 else [whole[:-len(payload)], payload])


async def test_a_message_a_few_bytes_longer_keeps_the_send_buffer():
    # Each new buffer needs a free block of its size, which a tight heap may not have at that
    # moment: past its first size (a long topic) it grows in steps, not by every digit a message
    # gains.
    c, sock = client(CONNACK + b"\x40\x02\x00\x07" * 3)
    await c.connect()
    first = c._tx
    await c.publish(b"t" * 200, b"p" * 500, qos=1, pid=7)
    tx = c._tx
    await c.publish(b"t" * 200, b"p" * 501, qos=1, pid=7)
    await c.publish(b"t" * 200, b"p" * 502, qos=1, pid=7)
    assert tx is not first and c._tx is tx


async def test_the_send_buffer_is_made_at_start_for_every_message_sent_in_one_write():
    # Hours into a day the heap is in pieces: a new block of 600 bytes may not be there, so the
    # buffer is made with the client, at boot, and no message sent in one write needs another.
    c, sock = client(CONNACK + b"\x40\x02\x00\x07")
    tx = c._tx
    await c.connect()
    sock.writes = []
    await c.publish(b"t" * 119, b"p" * 512, qos=1, pid=7)
    assert c._tx is tx and sock.writes == [expected_publish(0x32, b"t" * 119, 7, b"p" * 512)]


async def test_dup_flag_on_a_resend():
    c, sock = client(CONNACK + b"\x40\x02\x01\x00")
    await c.connect()
    sock.sent = bytearray()
    await c.publish("t", "p", qos=1, pid=256, dup=True)
    assert bytes(sock.sent) == expected_publish(0x3A, b"t", 256, b"p")


async def test_waits_for_its_own_puback_and_reads_past_others():
    # a late PUBACK of an earlier attempt, a PINGRESP and PUBLISH packets to us come first, one
    # with a remaining length of two bytes (200: 0xC8 0x01)
    big = b"\x30\xc8\x01\x00\x01" + b"x" * 198
    replies = CONNACK + b"\x40\x02\x00\x01" + b"\xd0\x00" + b"\x30\x05\x00\x01xyz" + big + b"\x40\x02\x00\x02"
    c, sock = client(replies)
    await c.connect()
    await c.publish("t", "p", qos=1, pid=2)
    assert c.connected and not sock.incoming


async def test_malformed_replies_raise_and_close():
    cases = [
        b"\x20\x03\x00\x00\x00",  # CONNACK of the wrong length
        b"\x20\x02\x04\x00",  # reserved CONNACK flags
        b"\x90\x03\x00\x01\x00",  # SUBACK: we never subscribed
        b"\x00\x00",  # reserved packet type 0
        b"\xf0\x00",  # reserved packet type 15
        b"\x20\xff\xff\xff\xff\x01",  # remaining length of five bytes
        b"\x20\x02\x00",  # cut off in the middle
        b"",  # closed before any reply
    ]
    for reply in cases:
        c, sock = client(reply)
        await failing(c.connect())
        assert sock.closed and not c.connected, reply
    for reply in (b"\x41\x02\x00\x01", b"\x40\x03\x00\x01\x00", b"\xd0\x01\x00", b"\x50\x02\x00\x01",
                  b"\x32\xff\xff\x03" + b"x" * 10):
        c, sock = client(CONNACK + reply)
        await c.connect()
        await failing(c.publish("t", "p", qos=1, pid=1))
        assert sock.closed and not c.connected, reply


class FloodSocket(MemorySocket):
    # A broker that answers the CONNECT and then sends packets without end (for `seconds` of real
    # time, then it closes the connection): PUBLISH packets to us, or PUBACKs for other packet ids
    def __init__(self, packet, seconds=3):
        super().__init__(CONNACK)
        self.packet = packet
        self.until = None
        self.seconds = seconds
        self.flooded = 0

    def readinto(self, buf):
        if not self.incoming:
            if self.until is None:
                self.until = simtime._real.ticks_ms() + self.seconds * 1000
            if simtime._real.ticks_diff(self.until, simtime._real.ticks_ms()) < 0:
                return 0  # the flood is over: the broker closes the connection
            self.incoming += self.packet * 16
            self.flooded += 16
        return super().readinto(buf)


async def test_a_flooding_broker_cannot_starve_the_node():
    # issue 16.3: reads wait only when the socket has nothing; a broker that floods the node keeps
    # them busy. The client takes one packet per turn, so other tasks run and the timeout fires.
    import asyncio

    from node import clock

    vc = simtime.clock
    vc.start(0, 0)
    clock.on_network_wait(vc.hold, vc.release)  # as hal.sim: virtual time follows real time meanwhile
    for packet, request in ((b"\x30\x05\x00\x01xyz", "publish"), (b"\x40\x02\x00\x09", "publish"),
                            (b"\x32\x07\x00\x01x\x00\x05ab", "ping")):
        sock = FloodSocket(packet)

        async def connect_tcp(host, port, ca, timeout_ms):
            return sock

        c = mqtt.MQTTClient(connect_tcp, "broker", 1883, "n1", timeout_ms=500)
        await c.connect()
        ticks = []

        async def sampler():
            while True:
                await asyncio.sleep_ms(100)
                ticks.append(vc.elapsed)

        task = asyncio.create_task(sampler())
        start = vc.elapsed
        real = simtime._real.ticks_ms()
        e = await failing(c.publish("t", "p", qos=1, pid=2) if request == "publish" else c.ping())
        task.cancel()
        assert "no answer within 500 ms" in str(e) and not c.connected, (packet, e)
        assert simtime._real.ticks_diff(simtime._real.ticks_ms(), real) < 2000, packet  # not the flood's end
        assert 500 <= vc.elapsed - start < 1500 and len(ticks) >= 2, (packet, ticks)  # ran meanwhile
        assert sock.flooded > 100, packet


async def test_refused_connection_closes_the_socket():
    c, sock = client(b"\x20\x02\x00\x04", user="u", password="wrong")
    e = await failing(c.connect())
    assert "user name or password" in str(e)
    assert sock.closed and not c.connected


async def test_silent_broker_times_out_in_virtual_time():
    # A real listening socket: the kernel accepts the connection, nobody ever answers.
    from hal.tcp import connect_tcp

    vc = simtime.clock
    vc.start(0, 0)
    server, port = listener()
    c = mqtt.MQTTClient(connect_tcp, "127.0.0.1", port, "n1", timeout_ms=3000)
    start = vc.elapsed
    e = await failing(c.connect())
    assert "no answer within 3000 ms" in str(e)
    assert 3000 <= vc.elapsed - start < 3100 and not c.connected
    server.close()


async def test_nobody_listening_is_an_oserror():
    from hal.tcp import connect_tcp

    server, port = listener()
    server.close()
    c = mqtt.MQTTClient(connect_tcp, "127.0.0.1", port, "n1", timeout_ms=3000)
    try:
        await c.connect()
    except (OSError, mqtt.MQTTError):
        pass
    else:
        raise AssertionError("connected to a closed port")
    assert not c.connected


async def test_a_request_cut_by_a_memory_error_leaves_nothing_running():
    # The request's timeout needs a watcher task; if the heap refuses it, the request must not
    # start, nor run on later against the closed socket.
    import asyncio

    errors = []
    asyncio.get_event_loop().set_exception_handler(lambda loop, context: errors.append(context["exception"]))
    c, sock = client(CONNACK)
    await c.connect()
    await asyncio.sleep_ms(20000)  # the connect's watcher has seen it done and ended
    sock.writes = []
    real = asyncio.create_task

    def refused(coro):
        raise MemoryError("memory allocation failed, allocating 64 bytes")

    asyncio.create_task = refused
    try:
        await c.publish("t", "p", qos=1, pid=3)
    except MemoryError:
        pass
    else:
        raise AssertionError("no MemoryError")
    finally:
        asyncio.create_task = real
    await asyncio.sleep_ms(10)  # an orphaned request would run now
    asyncio.get_event_loop().set_exception_handler(None)
    assert errors == [] and sock.writes == [] and not c.connected
