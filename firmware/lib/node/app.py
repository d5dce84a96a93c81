# Wiring and the cycle: sample (each sensor on its own schedule) -> encode -> outbox -> send, once
# per publishing interval; in deep-sleep mode one cycle per boot. The board (HAL) is passed in;
# nothing here knows which platform it runs on.
from micropython import const
import asyncio
import gc
import json
import struct
import sys

import node
from node import clock, log, rtcmem

SAFE_MODE_RETRY_MS = 60000
_WATCHDOG_SLACK_MS = const(60000)  # the watchdog resets a node whose cycle is this late
_HEAP_EVERY_MS = const(600000)  # gc.mem_free() scans the whole heap: measured this often, not per message
# RTC memory (node.rtcmem section APP), kept over deep sleep: version, flags (bit 0: discovery
# sent), failed connection attempts in a row, wake-ups left to skip before the next attempt, next
# scheduled wake (Unix ms)
_RTC = "<BBBBq"
_RTC_VERSION = const(1)


def main(board, uplink=None):
    # board: the hardware layer (hal/__init__.py has its contract); uplink: the delivery class,
    # which a comparison run swaps for another transport (None: as the config says, uplink_for())
    powered_ms = board.setup()
    asyncio.run(start(board, uplink, powered_ms))
    board.stopped()


def uplink_for(board, cfg):
    # LoRaWAN when the config says so (its "uplink") on a board with a radio, else MQTT. Imported
    # only now: a node carries one of the two in RAM, never both.
    if cfg["uplink"] == "lorawan" and board.radio() is not None:
        from node.lora_uplink import LoraUplink

        return LoraUplink
    from node.uplink import Uplink

    return Uplink


async def start(board, uplink=None, powered_ms=0):
    # powered_ms: how long the sensors' supply has been on (setup() switched it on, or a deep
    # sleep left it on); a sensor is first addressed once its power-up time has passed.
    supply_on = clock.add(clock.ticks(), -powered_ms)
    cfg = await load_config(board)
    if cfg:
        # Armed before the node is built: a boot that fails from here on (a MemoryError at its
        # tightest moment) ends in a reset, not in the REPL for good. run() and run_once() set it
        # anew (a later WDT() reconfigures the running one, as after a soft reset).
        board.watchdog(cfg["interval_s"] * 1000 + _WATCHDOG_SLACK_MS)
        node = Node(board, cfg, uplink, supply_on)  # it picks the uplink once its sensors made their buses
        await (node.run_once() if cfg["deep_sleep"] else node.run())


async def load_config(board):
    # A bad config means safe mode: stay up (REPL reachable, no reboot loop) and look again every
    # minute, so a technician can fix the file without reflashing. None if the board stops first.
    while True:
        cfg = read_config()
        if cfg:
            return cfg
        await clock.sleep_ms(SAFE_MODE_RETRY_MS)
        if not board.running():
            return None


def read_config():
    # The validator is needed only here: import it, use it, and let its bytecode go again (some
    # 14 KB of RAM that the sensors need more). The result is copied once the validator is gone,
    # so it sits compactly in the freed space rather than scattered among the parser's leftovers.
    from node import config

    try:
        cfg = config.load()
    except (config.ConfigError, MemoryError, ImportError) as e:
        # within the validator's limits no MemoryError comes; an ImportError is a section's module
        # missing from the flash (a deploy cut off halfway): safe mode too, until a deploy mends it
        log.error("%s; safe mode, next check in %d s" % (e or "config: out of memory", SAFE_MODE_RETRY_MS // 1000))
        return None
    finally:
        for name in [m for m in sys.modules if m.startswith("node.config")]:  # and its sections'
            del sys.modules[name]
            delattr(node, name[5:])
    gc.collect()
    return json.loads(json.dumps(cfg))


def firmware_version():
    # The firmware digest from the deploy manifest (firmware.json), or None.
    try:
        with open("firmware.json") as f:
            text = f.read()
    except OSError:
        return None
    i = text.find('"firmware":"')
    return text[i + 12:text.index('"', i + 12)] if i >= 0 else None


class Node:
    def __init__(self, board, cfg, uplink=None, supply_on=None):
        # uplink: None for the config's delivery, False for none (the self-test: sensors only)
        if uplink is not False and cfg.get("capture"):
            board.capture(cfg["capture"])  # every bus transaction from here on (hal/record.py)
        self.board = board
        self.cfg = cfg
        self.device = cfg["device"] or board.device_id()
        m = cfg["mqtt"]
        self.topic = "%s/%s/%s/" % (m["prefix"], cfg["site"], self.device)
        self.state_topic = self.topic + "state"
        self.woke = clock.ticks()
        self.supply_on = self.woke if supply_on is None else supply_on
        self.firmware = firmware_version()
        self.reset = board.reset_cause()
        self.heap_free = None
        self._heap_at = None  # when heap_free was measured
        self.setup_sensors()
        self.parts = None
        if uplink is not False:
            # imported only now: at boot the config validator had the RAM to itself
            self.uplink = (uplink or uplink_for(board, cfg))(board, cfg, self.device, self.topic, self.channels)
            self.seq = self.uplink.next_seq()  # kept on flash with the outbox, and in RTC memory
            if not hasattr(self.uplink, "encode"):
                # the JSON state message: its module loaded at boot with the rest (one loaded later
                # finds the heap in pieces), its parts list made once, at its largest
                from node.codec.state_json import encode_state, parts_needed

                self.encode = encode_state
                self.parts = [b""] * parts_needed(self.channels)

    async def run(self):
        # Always on: sample on schedule; the uplink task delivers in the background.
        interval = self.cfg["interval_s"] * 1000
        wdt = self.board.watchdog(interval + _WATCHDOG_SLACK_MS)
        sender = asyncio.create_task(self.uplink.run())
        deadline = self.started
        while True:
            early = await self.sample_until(deadline)
            if early is None:
                break
            if early:
                self.publish_state(clock.ticks(), True)
                continue
            self.publish_state(deadline)
            if sender.done():  # delivery ended of an error it cannot handle: so does the node, and
                await sender  # the watchdog resets the board (better than sampling for nobody)
            wdt.feed()
            deadline = clock.add(deadline, interval)
        await self.uplink.stop(sender, "offline")

    async def run_once(self):
        # Deep sleep: one cycle per boot. Sample and store, send within the window (unless the
        # backoff kept in RTC memory says to skip this wake-up), then sleep until the next slot.
        cfg = self.cfg
        interval = cfg["interval_s"] * 1000
        woke = self.woke
        if not self.board.running():
            return
        self.board.watchdog(clock.diff(self.started, woke) + cfg["send_window_s"] * 1000 + _WATCHDOG_SLACK_MS)
        rtc = rtcmem.get(self.board, rtcmem.APP)
        version, flags, fails, skip, slot = struct.unpack(_RTC, rtc) if len(rtc) == struct.calcsize(_RTC) else (0, 0, 0, 0, 0)
        if version != _RTC_VERSION or self.board.reset_cause() == "power":
            flags = fails = skip = slot = 0
        if await self.sample_until(self.started) is None:
            return
        self.publish_state(self.started)
        for c in self.channels:
            c.rest()  # fans, lasers and periodic measurements off for the sleep
        up = self.uplink
        up.fails = fails
        up.discover = up.discover and not flags & 1
        window_ms = cfg["send_window_s"] * 1000
        if not skip:
            await up.connect()  # also NTP: after a power-up the wake schedule needs wall time
        now_ms = clock.epoch_ms(woke)
        slot = slot if slot and now_ms is not None and abs(now_ms - slot) < interval else now_ms
        wake_ms = None if slot is None else slot + interval
        while wake_ms is not None and wake_ms - clock.epoch_ms(clock.ticks()) < 0:
            wake_ms += interval  # overslept a slot: keep the schedule's phase
        sent = await up.finish(window_ms=window_ms, state="sleeping", wake_s=None if wake_ms is None else wake_ms // 1000,
                               connect=False)
        if skip:
            skip -= 1
        elif up.fails:  # this wake-up tried and failed: skip a few, more after each failure
            from node.uplink import backoff_ms

            skip = min(255, backoff_ms(up.fails) // interval)
        if not up.discover:
            flags |= 1
        rtc = struct.pack(_RTC, _RTC_VERSION, flags, min(up.fails, 255), skip, wake_ms or 0)
        rtcmem.put(self.board, rtcmem.APP, rtc)
        now = clock.ticks()
        sleep_ms = interval - clock.diff(now, woke) if wake_ms is None else wake_ms - clock.epoch_ms(now)
        log.info("sleep %d ms%s" % (sleep_ms, "" if sent else ", messages still queued"))
        self.board.deepsleep(max(sleep_ms, 0))

    def setup_sensors(self):
        # One channel per configured sensor, all on one sampling grid. An always-on node samples
        # from now on; a node that sleeps between cycles takes its one sample once the slowest
        # sensor can give a real value (warmed up, powered up), so each publishes what it measures.
        # An SCD4x gets the ambient pressure from the first sensor on the node that measures
        # pressure. Imported only now, after the config validator has left the RAM again (boot is
        # the tightest moment).
        from node.pipeline import Channel
        from node.sensors import make

        interval = self.cfg["interval_s"] * 1000
        drivers = []
        for s in self.cfg["sensors"]:
            gc.collect()  # each driver's import leaves garbage: fill its holes before the next one
            drivers.append(make(s, self.board, self.cfg["i2c"]))
        self.started = self.woke
        if self.cfg["deep_sleep"]:
            self.started = clock.add(self.woke, self.awake_ms(zip(drivers, self.cfg["sensors"])))
        self.channels = [Channel(d, s, interval, self.started, self._first_due(s))
                         for d, s in zip(drivers, self.cfg["sensors"])]
        self.cfg["sensors"] = None  # drivers and channels took what they need: free the RAM
        self.pressure = None
        for c in self.channels:
            names = [q[0] for q in c.quantities]
            if "pressure" in names and not self.pressure:
                self.pressure = (c, names.index("pressure"))
        self.pressure_users = [c.sensor for c in self.channels if hasattr(c.sensor, "pressure_hpa")]

    def _first_due(self, sensor_cfg):
        # A sensor is first addressed once its power-up time since the supply came on has passed.
        ready = clock.add(self.supply_on, sensor_cfg["power_up_ms"])
        return ready if clock.diff(ready, self.woke) > 0 else self.woke

    def awake_ms(self, sensors):
        # How long after waking the slowest of (driver, sensor config) gives its first real value.
        longest = 0
        for d, s in sensors:
            longest = max(longest, clock.diff(self._first_due(s), self.woke) + d.lead_ms)
        return longest

    async def sample_until(self, deadline):
        # Step every sensor when it is due until the state message for deadline can be made: its
        # time has come and no sample due by then is still being read -> False. True instead if a
        # value moved by its change threshold first (publish early, then call again); None if the
        # board stopped running when the deadline came.
        channels = self.channels
        arrived = False
        while True:
            now = clock.ticks()
            if not arrived and clock.diff(deadline, now) <= 0:
                if not self.board.running():
                    return None
                arrived = True
            stepped = False
            for c in channels:
                if clock.diff(c.due, now) <= 0:
                    c.step(now)
                    stepped = True
            if stepped:
                self.feed_pressure()
                continue  # a step may leave the channel due at once (init -> start -> read)
            if arrived and not self._reading(deadline):
                return False
            wake = clock.add(now, 3600000) if arrived else deadline  # arrived: wait for sensors alone
            for c in channels:
                if c.changed and not self._reading(now):
                    return True
                if clock.diff(c.due, wake) < 0:
                    wake = c.due
            await clock.sleep_until(wake)

    def _reading(self, t):
        for c in self.channels:
            if c.pending(t):
                return True
        return False

    def feed_pressure(self):
        if self.pressure and self.pressure[0].healthy():
            hpa = (self.pressure[0].last(self.pressure[1]) + 50) // 100
            for s in self.pressure_users:
                s.pressure_hpa = hpa

    def diagnostics(self):
        # What a technician wants to see of the node itself, in every state message (docs/payload.md)
        b = self.board
        now = clock.ticks()
        if self._heap_at is None or clock.diff(now, self._heap_at) >= _HEAP_EVERY_MS:
            self.heap_free = gc.mem_free()
            self._heap_at = now
        return (b.battery_mv(), b.rssi_dbm(), self.firmware, self.reset, clock.uptime_ms() // 1000, self.heap_free)

    def publish_state(self, tick, early=False):
        for c in self.channels:
            c.summarize()
        if self.parts is None:  # the uplink's own encoding (LoRaWAN: compact)
            msg = self.uplink.encode(self.device, self.seq, clock.epoch_s(tick), self.channels, self.diagnostics())
        else:
            self.encode(self.parts, self.device, self.seq, clock.epoch_s(tick), self.channels, self.diagnostics())
            msg = self.parts
        for c in self.channels:
            c.sent_state(early)
        self.send(self.state_topic, msg, False)
        self.seq += 1
        if self.parts is not None:
            parts = self.parts
            for i in range(len(parts)):
                parts[i] = b""  # the message is on flash: its parts need not wait in RAM for the next one

    def send(self, topic, payload, retain):
        # Into the outbox on flash under this seq; the uplink delivers it when it can.
        self.uplink.put(self.seq, topic, payload, retain)
