# Wiring and the cycle: sample (each sensor on its own schedule) -> encode -> send, once per
# publishing interval. The board (HAL) is passed in; nothing here knows which platform it runs on.
import asyncio
import gc
import json
import sys

import hal
import node
from node import clock, log, persist
from node.codec.state_json import encode_state
from node.net.mqtt import MQTTClient, MQTTError

SEQ_FILE = "seq"
SAFE_MODE_RETRY_MS = 60000


def main():
    board = hal.load()
    board.setup()
    asyncio.run(start(board))
    board.stopped()


async def start(board):
    cfg = await load_config(board)
    if cfg:
        await Node(board, cfg).run()


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
    except config.ConfigError as e:
        log.error("%s; safe mode, next check in %d s" % (e, SAFE_MODE_RETRY_MS // 1000))
        return None
    finally:
        del sys.modules["node.config"]
        del node.config
    gc.collect()
    return json.loads(json.dumps(cfg))


class Node:
    def __init__(self, board, cfg):
        self.board = board
        self.cfg = cfg
        self.device = cfg["device"] or board.device_id()
        m = cfg["mqtt"]
        self.topic = "%s/%s/%s/" % (m["prefix"], cfg["site"], self.device)
        self.started = clock.ticks()
        self.setup_sensors()
        self.mqtt = MQTTClient(
            board.open_tcp, m["host"], m["port"], self.device, m["user"], m["password"], m["keepalive_s"],
            (self.topic + "status", '{"state":"offline"}', True), m["tls"],
        )
        self.seq = persist.load_int(SEQ_FILE, 0)

    async def run(self):
        interval = self.cfg["interval_s"] * 1000
        deadline = self.started
        while True:
            early = await self.sample_until(deadline)
            if early is None:
                break
            if early:
                self.publish_state(clock.ticks(), True)
                continue
            self.publish_state(deadline)
            deadline = clock.add(deadline, interval)
        if self.mqtt.connected:
            self.send(self.topic + "status", '{"state":"offline"}', True)
            self.mqtt.disconnect()

    def setup_sensors(self):
        # One channel per configured sensor, all on one sampling grid from now. An SCD4x gets the
        # ambient pressure from the first sensor on the node that measures pressure. Imported only
        # now, after the config validator has left the RAM again (boot is the tightest moment).
        from node.pipeline import Channel
        from node.sensors import make

        interval = self.cfg["interval_s"] * 1000
        self.channels = []
        for s in self.cfg["sensors"]:
            gc.collect()  # each driver's import leaves garbage: fill its holes before the next one
            self.channels.append(Channel(make(s, self.board), s, interval, self.started))
        self.cfg["sensors"] = None  # drivers and channels took what they need: free the RAM
        self.pressure = None
        for c in self.channels:
            names = [q[0] for q in c.quantities]
            if "pressure" in names and not self.pressure:
                self.pressure = (c, names.index("pressure"))
        self.pressure_users = [c.sensor for c in self.channels if hasattr(c.sensor, "pressure_hpa")]

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

    def publish_state(self, tick, early=False):
        for c in self.channels:
            c.summarize()
        msg = encode_state(self.device, self.seq, clock.epoch_s(tick), self.channels)
        for c in self.channels:
            c.sent_state(early)
        self.send(self.topic + "state", msg, False)
        self.seq += 1
        persist.save_int(SEQ_FILE, self.seq)

    def send(self, topic, payload, retain):
        try:
            if not self.mqtt.connected:
                self.board.connect_network(self.cfg["wifi"])
                self.mqtt.connect()
                log.info("mqtt connected to %s" % self.cfg["mqtt"]["url"])
                self._publish(self.topic + "status", '{"state":"online"}', True)
            self._publish(topic, payload, retain)
        except (OSError, MQTTError) as e:  # network trouble: keep sampling, try again next cycle
            log.warn("mqtt: %s not sent: %r" % (topic, e))
            self.mqtt.close()

    def _publish(self, topic, payload, retain):
        self.mqtt.publish(topic, payload, retain)
        log.info("pub %s %d" % (topic, len(payload)))
