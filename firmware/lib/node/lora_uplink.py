# The send half of a LoRaWAN node: node.uplink.Uplink's counterpart with the same interface for
# node.app (which picks it for a config with a "lora" section on a board with a radio). Every
# state message goes to the outbox on flash first, as the compact payload (FPort 1) or CayenneLPP
# (FPort 20), and leaves it once its uplink went out (unconfirmed) or was acknowledged
# (confirmed). The MAC (node.net.lorawan) sends the oldest first, as often as the join back-off,
# the sub-bands' duty cycle and the fair-use budget allow; whatever has to wait stays queued.
import asyncio

from micropython import const

from node import clock, log, rtcmem
from node.net import lorawan
from node.outbox import Outbox

IDLE_MS = const(3600000)  # nothing queued: look again after this long at the latest
RETRY_MS = const(10000)  # a confirmed uplink without ACK is tried again after this, doubling up to IDLE_MS
RECORD = const(96)  # an outbox record: 14 bytes of header and a payload (compact 3..15, Cayenne up to 47)
_TOPIC = b""  # outbox records carry no topic: the FPort says what the payload is


class LoraUplink:
    MAC = lorawan.Mac  # a comparison node swaps in another (bench/baseline/lora_naive.py)

    def __init__(self, board, cfg, device, topic, sensors):
        lora = cfg["lora"]
        self.board = board
        self.cfg = cfg
        self.outbox = Outbox(cap=cfg["outbox_kb"] * 1024, record_bytes=RECORD)
        self.mac = self.MAC(board.radio(), lora, board)
        self.confirmed = lora["confirmed"]
        if lora["payload"] == "cayenne":
            from node.codec import cayenne as codec
        else:
            from node.codec import compact as codec
        self.codec = codec
        self.fails = 0  # node.app's connection backoff: LoRaWAN has its own (join back-off, duty cycle)
        self.discover = False
        self._woke = clock.ticks()
        self._wake = asyncio.Event()
        # asyncio loads wait_for_ms from a submodule on first use: now, while the heap is young
        # (node/__init__.py), and after the MAC, whose building is the boot's tightest moment
        self._wait_for_ms = asyncio.wait_for_ms
        self._stop = False
        self._said = None  # the wait last reported, to say it once
        self._started = False
        self._unacked = 0  # confirmed uplinks in a row without an ACK
        self._retry = clock.ticks()  # no uplink before this tick (after a missing ACK)

    def next_seq(self):
        return self.outbox.next_seq

    def encode(self, device, seq, time_s, channels, *extra):
        # what node.app stores for a state message: the payload itself (the channels hold the summary)
        return self.codec.encode(seq, channels)

    def put(self, seq, topic, payload, retain):
        try:
            self.outbox.put(seq, _TOPIC, payload)
        except (OSError, ValueError) as e:
            self.outbox.dropped += 1
            log.error("outbox: seq=%d dropped (%s)" % (seq, e))
        log.info(b"sample seq=%d" % seq)
        self._wake.set()

    async def _start(self):
        if not self._started:
            await self.mac.radio.begin()
            self._started = True

    async def run(self):
        # Always on: join, then send what is queued as the budgets allow, until stop().
        await self._start()
        while not self._stop:
            try:
                w = await self._step()
            except MemoryError:  # the readings stay queued; the cycle goes on and so does this
                log.error("lora: out of memory, next try in 60 s")
                w = 60000
            await self._rest(IDLE_MS if w is None else w)

    async def stop(self, task, state):
        self._stop = True
        self._wake.set()
        await task
        await self.finish(window_ms=self.cfg["send_window_s"] * 1000, state=state, wake_s=None, connect=True)

    async def connect(self):
        # Deep sleep: join now if the back-off allows -> joined
        await self._start()
        if not self.mac.joined and self.mac.join_wait_ms() == 0:
            await self.mac.join()
        return self.mac.joined

    async def finish(self, window_ms, state, wake_s, connect):
        # -> True if nothing is queued any more. Before a stop or deep sleep: send within window_ms
        # what the budgets allow; a deep-sleeping node keeps the MAC's state in RTC memory.
        await self._start()
        deadline = clock.add(clock.ticks(), window_ms)
        while True:
            left = clock.diff(deadline, clock.ticks())
            # a send takes its airtime and both receive windows
            if left < (self.mac.rx1_delay + 2) * 1000:
                break
            w = await self._step()
            if w is None or w >= left:
                break
            await clock.sleep_ms(w)
        queued = self.outbox.load()
        if queued is not None:
            log.info("lora queued from seq=%d" % queued)
        if self.cfg["deep_sleep"]:
            now = clock.ticks()
            t = clock.epoch_ms(now)
            ahead = wake_s * 1000 - t if wake_s is not None and t is not None else \
                self.cfg["interval_s"] * 1000 - clock.diff(now, self._woke)
            rtcmem.put(self.board, rtcmem.LORAWAN, self.mac.rtc(max(0, ahead - 1000)))
        self.mac.radio.sleep()
        return queued is None

    async def _step(self):
        # One thing: a join attempt or the oldest reading's uplink -> 0 when done, ms to wait
        # before the next can go, or None when nothing is queued
        mac = self.mac
        if not mac.joined:
            w = mac.join_wait_ms()
            if w:
                self._say(mac.why, w, None)
                return w
            self._said = None
            await mac.join()
            return 0
        seq = self.outbox.load()
        if seq is None:
            return None
        payload = self.outbox.payload()
        now = clock.ticks()
        w = clock.diff(self._retry, now)
        if w > 0:
            return w
        self._retry = now  # never a stale tick (ticks wrap)
        w = mac.wait_ms(len(payload), self.confirmed)
        if w:
            self._say(mac.why, w, seq)
            return w
        self._said = None
        r = await mac.send(self.codec.FPORT, payload, self.confirmed)
        if r in (lorawan.SENT, lorawan.ACKED):
            self._unacked = 0
            self.outbox.pop(seq)
            log.info("lora sent seq=%d fcnt=%d" % (seq, mac.fcnt_up - 1))
        elif r == lorawan.TOO_LONG:
            self.outbox.pop(seq)
            self.outbox.dropped += 1
            log.error("lora: seq=%d too long for DR%d, dropped" % (seq, mac.dr))
        elif r == lorawan.NO_ACK:  # kept; tried again later, later after each miss (nobody hears us?)
            ms = min(IDLE_MS, RETRY_MS << min(self._unacked, 9))
            self._unacked += 1
            self._retry = clock.add(clock.ticks(), ms)
            log.warn("lora: no ACK for seq=%d, kept; next try in %d s" % (seq, ms // 1000))
        return 0 if r != lorawan.NO_COUNTER else IDLE_MS

    def _say(self, why, ms, seq):
        # Once per wait (the replay counts them): the duty cycle's waits are normal; a budget's
        # (fair use, downlinks, join back-off) means the node sends less often than it samples.
        if why != self._said:
            text = "lora wait %s %d ms%s" % (why, ms, "" if seq is None else ", queued from seq=%d" % seq)
            if why == "duty_cycle":
                log.info(text)
            else:
                log.warn(text)
        self._said = why

    async def _rest(self, ms):
        try:
            await self._wait_for_ms(self._wake.wait(), ms)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()
