# Wiring and the cycle: wake -> sample -> encode -> outbox -> send -> sleep. The board (HAL) is
# passed in; nothing here knows which platform it runs on.
import asyncio
import struct

import hal
from node import clock, config, log
from node.codec.state_json import encode_state
from node.sensors import OK, TIMEOUT, SensorError, health_of, make
from node.uplink import Uplink, backoff_ms

_POLL_MS = 2  # re-check a busy sensor this often
_POLL_TRIES = 25
SAFE_MODE_RETRY_MS = 60000
WATCHDOG_SLACK_MS = 60000  # the watchdog resets a node whose cycle is this late
# RTC memory, kept over deep sleep: version, flags (bit 0: discovery sent), failed connection
# attempts in a row, wake-ups left to skip before the next attempt, next scheduled wake (Unix ms)
_RTC = "<BBBBq"
_RTC_VERSION = 1


def main(uplink=Uplink):
    # uplink: the delivery class; a comparison run swaps in another transport
    board = hal.load()
    board.setup()
    asyncio.run(start(board, uplink))
    board.stopped()


async def start(board, uplink=Uplink):
    cfg = await load_config(board)
    if cfg:
        node = Node(board, cfg, uplink)
        await (node.run_once() if cfg["deep_sleep"] else node.run())


async def load_config(board):
    # A bad config means safe mode: stay up (REPL reachable, no reboot loop) and look again every
    # minute, so a technician can fix the file without reflashing. None if the board stops first.
    while True:
        try:
            return config.load()
        except config.ConfigError as e:
            log.error("%s; safe mode, next check in %d s" % (e, SAFE_MODE_RETRY_MS // 1000))
        await clock.sleep_ms(SAFE_MODE_RETRY_MS)
        if not board.running():
            return None


class Node:
    def __init__(self, board, cfg, uplink=Uplink):
        self.board = board
        self.cfg = cfg
        self.device = cfg["device"] or board.device_id()
        m = cfg["mqtt"]
        self.topic = "%s/%s/%s/" % (m["prefix"], cfg["site"], self.device)
        self.sensors = []
        for s in cfg["sensors"]:
            sensor = make(s, board.i2c(s["bus"]))
            sensor.health = "unknown"
            self.sensors.append(sensor)
        self.uplink = uplink(board, cfg, self.device, self.topic, self.sensors)
        self.seq = self.uplink.next_seq()  # kept on flash with the outbox

    async def run(self):
        # Always on: sample on schedule; the uplink task delivers in the background.
        interval = self.cfg["interval_s"] * 1000
        wdt = self.board.watchdog(interval + WATCHDOG_SLACK_MS)
        sender = asyncio.create_task(self.uplink.run())
        deadline = clock.ticks()
        while self.board.running():
            await self.sample()
            self.publish_state(deadline)
            wdt.feed()
            deadline = clock.add(deadline, interval)
            await clock.sleep_until(deadline)
        await self.uplink.stop(sender, "offline")

    async def run_once(self):
        # Deep sleep: one cycle per boot. Sample and store, send within the window (unless the
        # backoff kept in RTC memory says to skip this wake-up), then sleep until the next slot.
        cfg = self.cfg
        interval = cfg["interval_s"] * 1000
        woke = clock.ticks()
        if not self.board.running():
            return
        self.board.watchdog(cfg["send_window_s"] * 1000 + WATCHDOG_SLACK_MS)
        rtc = self.board.rtc_memory()
        version, flags, fails, skip, slot = struct.unpack(_RTC, rtc) if len(rtc) == struct.calcsize(_RTC) else (0, 0, 0, 0, 0)
        if version != _RTC_VERSION or self.board.reset_cause() == "power":
            flags = fails = skip = slot = 0
        now_ms = clock.epoch_ms(woke)
        slot = slot if slot and now_ms is not None and abs(now_ms - slot) < interval else now_ms
        await self.sample()
        self.publish_state(woke)
        up = self.uplink
        up.fails = fails
        up.discover = up.discover and not flags & 1
        wake_ms = None if slot is None else slot + interval
        while wake_ms is not None and wake_ms - clock.epoch_ms(clock.ticks()) < 0:
            wake_ms += interval  # overslept a slot: keep the schedule's phase
        sent = await up.finish(cfg["send_window_s"] * 1000, "sleeping", None if wake_ms is None else wake_ms // 1000, not skip)
        if skip:
            skip -= 1
        elif up.fails:  # this wake-up tried and failed: skip a few, more after each failure
            skip = min(255, backoff_ms(up.fails) // interval)
        if not up.discover:
            flags |= 1
        self.board.save_rtc(struct.pack(_RTC, _RTC_VERSION, flags, min(up.fails, 255), skip, wake_ms or 0))
        now = clock.ticks()
        sleep_ms = interval - clock.diff(now, woke) if wake_ms is None else wake_ms - clock.epoch_ms(now)
        log.info("sleep %d ms%s" % (sleep_ms, "" if sent else ", messages still queued"))
        self.board.deepsleep(max(sleep_ms, 0))

    async def sample(self):
        wait = 0
        started = []
        for s in self.sensors:
            try:
                if not s.ready:
                    s.init()
                wait = max(wait, s.start())
                started.append(s)
            except (OSError, SensorError) as e:
                self.failed(s, e)
        await clock.sleep_ms(wait)
        for s in started:
            try:
                for _ in range(_POLL_TRIES):
                    if s.poll():
                        break
                    await clock.sleep_ms(_POLL_MS)
                else:
                    raise SensorError(TIMEOUT, "%s: measurement did not finish" % s.name)
            except (OSError, SensorError) as e:
                self.failed(s, e)
                continue
            if s.health != OK:
                log.info("sensor %s: ok" % s.name)
            s.health = OK

    def failed(self, sensor, exc):
        health = health_of(exc)
        if health != sensor.health:  # log changes, not every cycle
            log.warn("sensor %s: %s (%s)" % (sensor.name, health, exc))
        sensor.health = health
        sensor.reset()

    def publish_state(self, tick):
        msg = encode_state(self.device, self.seq, clock.epoch_s(tick), self.sensors)
        self.send(self.topic + "state", msg, False)
        self.seq += 1

    def send(self, topic, payload, retain):
        # Into the outbox on flash under this seq; the uplink delivers it when it can.
        self.uplink.put(self.seq, topic, payload, retain)
