# The send half of the node: the outbox on flash and one MQTT connection. Every state message is
# stored before anything is sent; delivery goes oldest first with QoS 1, and a message leaves the
# outbox only after its PUBACK (a resend after a lost PUBACK carries DUP; receivers de-duplicate on
# seq). A failed connection or request never reaches the sampling cycle: the connection is closed
# and the next attempt waits a backoff that doubles per failure, with jitter.
from micropython import const
import asyncio
import os
import struct

from node import clock, log, rtcmem
from node.net.mqtt import MQTTClient, MQTTError
from node.outbox import Outbox

_TIMEOUT_MS = const(10000)  # every network request (connect, publish + PUBACK, ping, disconnect)
_BACKOFF_MIN_MS = const(2000)
_BACKOFF_MAX_MS = const(300000)
_NTP_EVERY_MS = const(86400000)  # wall time again once a day: the RTC drifts a few seconds a day
_NTP_RETRY_MAX_MS = const(3600000)
_JOINING_RETRY_MS = const(5000)  # the station still (re)joins by itself: look again then, no failure
_EINPROGRESS = const(115)
_STATUS_PID = const(0xFFFF)  # packet id of status and discovery messages; state messages use 1..0xFFFE
_IN_RAM_MAX = const(4)  # state messages kept in RAM while the flash refuses writes
_OOM_RESTART = const(5)  # MemoryErrors with no message delivered between them: the node restarts
_RTC_SEQ_ID = const(3)  # node.rtcmem section (listed there): next seq, dropped count (held in RAM included)
_RTC_SEQ = "<II"
# What makes a connection or request fail, to be tried again later: the network, the broker, and a
# fragmented heap refusing a new connection's buffers (which passes once the garbage is collected)
_FAILURES = (OSError, MQTTError, MemoryError)


def backoff_ms(fails):
    # Exponential backoff with "equal jitter": half of the delay fixed, half random, so many nodes
    # that lost the same broker do not all come back in the same second.
    delay = min(_BACKOFF_MAX_MS, _BACKOFF_MIN_MS << min(fails - 1, 12))
    return delay // 2 + int.from_bytes(os.urandom(2), "little") % (delay // 2 + 1)


class Nap:
    # A sleep that another task can end early (the delivery task's, when a message comes): what
    # wait_for_ms(event.wait(), ms) does, without the two tasks wait_for makes per wait (on the
    # courtyard node they took 8 % of a cycle). A wake() while nobody sleeps ends the next sleep
    # at once, as a set Event would. Here, not in node.clock: a LoRa node, whose boot has no RAM to
    # spare, keeps to asyncio.Event (made after its boot's tightest moment).
    def __init__(self):
        self._sleeper = None
        self._woken = False

    async def sleep(self, ms):
        if not self._woken:
            self._sleeper = asyncio.current_task()
            try:
                await asyncio.sleep_ms(ms if ms > 0 else 0)
            except asyncio.CancelledError:
                if not self._woken:
                    raise  # cancelled for another reason: that goes on
            finally:
                self._sleeper = None
        self._woken = False

    def wake(self):
        self._woken = True
        t = self._sleeper
        if t is not None:
            self._sleeper = None
            t.cancel()  # ends the sleep now, with a CancelledError that sleep() takes


class Uplink:
    _oom = 0  # MemoryErrors since the last message went out (on the instance once one came)

    def __init__(self, board, cfg, device, topic, sensors):
        m = cfg["mqtt"]
        self.board = board
        self.cfg = cfg
        self.device = device
        self.topic = topic  # "<prefix>/<site>/<device>/"
        self.sensors = sensors
        # a state message: its frame, the node's diagnostics, per sensor its name, health and readings
        record = 300 + len(topic) + sum(60 + 100 * len(c.quantities) for c in sensors)
        self.outbox = Outbox(cap=cfg["outbox_kb"] * 1024, record_bytes=record)
        self.mqtt = MQTTClient(
            board.connect_tcp, m["host"], m["port"], device, user=m["user"], password=m["password"],
            keepalive_s=m["keepalive_s"], will=(topic + "status", '{"state":"offline"}', True),
            ca=m["ca"] if m["tls"] else None, clean=False, timeout_ms=_TIMEOUT_MS,
        )
        self.discover = m["discovery"]  # send the discovery configs after the next connect
        self.fails = 0
        self._retry = None  # no connection attempt before this tick
        self._ntp_at = None  # no NTP query before this tick
        self._ntp_fails = 0
        self._said_no_time = False
        self._tried = None  # seq of the last state message sent without a PUBACK yet
        self._in_ram = []
        self._nap = Nap()  # the delivery task's rest, ended early by a new message or the stop
        self._stop = False
        self._seq = self._first_seq(board)

    def _first_seq(self, board):
        # A number is never used for two readings (docs/mqtt.md). The outbox's records and head
        # hold the next one; RTC memory (kept over deep sleep and resets) holds it exactly, also
        # for readings the flash refused. After a power-up, with RTC memory gone, the node goes on
        # after the numbers reserved on flash, which a reading may have used without a record.
        ob = self.outbox
        rtc = rtcmem.get(board, _RTC_SEQ_ID)
        if board.reset_cause() == "power" or len(rtc) != 8:
            return max(ob.next_seq, ob.reserved)
        seq, dropped = struct.unpack(_RTC_SEQ, rtc)
        ob.dropped = max(ob.dropped, dropped)  # readings lost with the RAM count too
        return max(ob.next_seq, seq)

    def next_seq(self):
        return self._seq

    def put(self, seq, topic, payload, retain):
        # Into the outbox on flash; if the flash refuses it (full), into RAM (at most a few). Only
        # a reading whose number is reserved on flash leaves the node from RAM: the others wait
        # there until the flash takes them, so no number goes out that a power cut could hand
        # out again. RTC memory gets the next number before anything is sent.
        ob = self.outbox
        self._seq = seq + 1
        self._to_flash()  # readings waiting in RAM go first, in order
        try:
            if self._in_ram:
                raise OSError(28)  # the flash still refuses the older ones
            ob.put(seq, topic, payload, retain)
        except OSError as e:
            ob.next_seq = max(ob.next_seq, seq + 1)  # on flash with the next head that gets there
            if len(self._in_ram) < _IN_RAM_MAX:
                self._in_ram.append((seq, topic, b"".join(payload) if isinstance(payload, list) else payload, retain))
                log.warn("outbox: flash refused seq=%d (%s), kept in RAM" % (seq, e))
            else:
                self._dropped(seq, e)
        except ValueError as e:
            self._dropped(seq, e)
        self._keep()
        log.info(b"sample seq=%d" % seq)
        self._nap.wake()

    def _to_flash(self):
        # Readings held in RAM into the outbox, oldest first, as soon as the flash takes writes
        while self._in_ram:
            try:
                self.outbox.put(*self._in_ram[0])
            except OSError:
                return
            self._in_ram.pop(0)

    def _keep(self):
        # RTC memory: the next number, and the dropped count with the readings held in RAM (lost
        # if a reset comes first)
        rtcmem.put(self.board, _RTC_SEQ_ID, struct.pack(_RTC_SEQ, self._seq, self.outbox.dropped + len(self._in_ram)))

    def _dropped(self, seq, e):
        ob = self.outbox
        ob.dropped += 1
        ob.next_seq = max(ob.next_seq, seq + 1)
        ob.save_head()  # the count on flash, if the flash takes it
        log.error("outbox: seq=%d dropped (%s)" % (seq, e))

    async def run(self):
        # Always-on delivery: connect, send what is queued, keep the connection alive, repeat.
        if self.discover:
            # now, while the heap is young (node/__init__.py), not at the first connect, which may
            # come hours later: a failed import there would fail every connect
            from node import discovery  # noqa: F401
        while not self._stop:
            if not self.mqtt.connected:
                wait = 0 if self._retry is None else clock.diff(self._retry, clock.ticks())
                if wait > 0:
                    await self._nap.sleep(wait)
                    continue
                if not await self.connect():
                    continue
            try:
                await self._drain(None)
                wait = self.cfg["mqtt"]["keepalive_s"] * 1000 - clock.diff(clock.ticks(), self.mqtt.last_tx)
                if wait > 0:
                    await self._nap.sleep(wait)
                else:
                    await self.mqtt.ping()
            except _FAILURES as e:
                self._failed("send", e)

    async def stop(self, task, state):
        # The end of an always-on run: deliver what is queued (bounded), say goodbye.
        self._stop = True
        self._nap.wake()
        await task
        await self.finish(window_ms=self.cfg["send_window_s"] * 1000, state=state, wake_s=None, connect=True)

    async def finish(self, window_ms, state, wake_s, connect):
        # -> True if every queued message left. Before a stop or deep sleep: within window_ms,
        # connect if asked to, deliver, publish the retained status, disconnect cleanly.
        deadline = clock.add(clock.ticks(), window_ms)
        self._to_flash()  # a deep sleep loses the RAM
        self._keep()
        if connect and not self.mqtt.connected:
            await self.connect()
        if not self.mqtt.connected:
            return False
        try:
            done = await self._drain(deadline)
            await self.status(state, wake_s)
            await self.mqtt.disconnect()
            return done
        except _FAILURES as e:
            self._failed("send", e)
            return False

    async def connect(self):
        try:
            await self.board.connect_network(self.cfg["wifi"], _TIMEOUT_MS)
        except OSError as e:
            if e.args and e.args[0] == _EINPROGRESS:  # a (re)join in progress is not a failure
                self._retry = clock.add(clock.ticks(), _JOINING_RETRY_MS)
                return False
            self._failed("connect", e)
            return False
        self.sync_time()
        if self.mqtt.ca and clock.epoch_ms(clock.ticks()) is None:
            # TLS checks certificate dates: without wall time every handshake would fail
            if not self._said_no_time:
                log.warn("mqtt: no wall time yet (NTP %s), TLS waits for it" % self.cfg["ntp"])
                self._said_no_time = True
            self._retry = self._ntp_at
            return False
        try:
            await self.mqtt.connect()
            self.fails = 0
            self._retry = None
            log.info("mqtt connected to %s" % self.cfg["mqtt"]["url"])
            await self.status("online")
            if self.discover:
                await self._discovery()
                self.discover = not self.cfg["deep_sleep"]  # always-on: again after a reconnect
            return True
        except _FAILURES as e:
            self._failed("connect", e)
            return False

    def sync_time(self):
        # NTP while wall time is unknown (retried with backoff) and once a day after that.
        now = clock.ticks()
        if self._ntp_at is not None and clock.diff(self._ntp_at, now) > 0:
            return
        if self.board.sync_time(self.cfg["ntp"]):
            self._ntp_fails = 0
            self._said_no_time = False
            self._ntp_at = clock.add(now, _NTP_EVERY_MS)
            return
        self._ntp_fails += 1
        wait = min(_NTP_RETRY_MAX_MS, _BACKOFF_MIN_MS << min(self._ntp_fails - 1, 12))
        self._ntp_at = clock.add(now, wait)
        log.warn("ntp: %s did not answer; next try in %d s" % (self.cfg["ntp"], wait // 1000))

    async def status(self, state, wake_s=None):
        extra = "" if state != "sleeping" else ',"wake":%s' % ("null" if wake_s is None else wake_s)
        await self._send(self.topic + "status", '{"state":"%s","dropped":%d%s}' % (state, self.outbox.dropped, extra))

    async def _discovery(self):
        from node import discovery  # only boards that announce themselves carry it in RAM

        expire = 3 * self.cfg["interval_s"]
        for topic, payload in discovery.messages(self.device, self.cfg["site"], self.topic, self.sensors, expire):
            await self._send(topic, payload)

    async def _send(self, topic, payload):
        await self.mqtt.publish(topic, payload, True, 1, _STATUS_PID)
        log.info("pub %s %d" % (topic, len(payload)))

    async def _drain(self, deadline):
        # -> True once nothing is queued; False if the deadline came first
        ob = self.outbox
        while deadline is None or clock.diff(deadline, clock.ticks()) > 0:
            seq = ob.load()
            if seq is not None:
                await self._publish(seq, ob.topic(), ob.payload(), ob.retain())
                ob.pop(seq)
            elif self._in_ram and self._in_ram[0][0] < ob.reserved:  # its number is safe to use
                r = self._in_ram[0]
                await self._publish(*r)
                if self._in_ram and self._in_ram[0] is r:  # not moved to flash meanwhile
                    self._in_ram.pop(0)
                    self._keep()
            else:
                return not self._in_ram
        return False

    async def _publish(self, seq, topic, payload, retain):
        dup = self._tried == seq
        self._tried = seq
        await self.mqtt.publish(topic, payload, retain, 1, 1 + seq % 0xFFFE, dup)
        if self._oom:
            self._oom = 0
        log.info(b"pub %s %d" % (bytes(topic) if isinstance(topic, memoryview) else topic, len(payload)))

    def _failed(self, what, exc):
        self.mqtt.close()
        if isinstance(exc, MemoryError):
            self._oom += 1
            if self._oom >= _OOM_RESTART:
                # A heap in pieces stays in pieces: rather than fail every send for days, the node
                # ends and the watchdog restarts it with a whole heap (the outbox is on flash).
                log.error("mqtt: out of memory %d times in a row; the node restarts" % self._oom)
                raise exc
        self.fails += 1
        wait = backoff_ms(self.fails)
        self._retry = clock.add(clock.ticks(), wait)
        log.warn("mqtt: %s failed: %r; next try in %d s" % (what, exc, wait // 1000))
