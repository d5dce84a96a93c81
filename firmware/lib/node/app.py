# Wiring and the cycle: wake -> sample -> encode -> send -> sleep. The board (HAL) is passed in;
# nothing here knows which platform it runs on.
import asyncio

import hal
from node import clock, config, log, persist
from node.codec.state_json import encode_state
from node.net.mqtt import MQTTClient, MQTTError
from node.sensors import OK, TIMEOUT, SensorError, health_of, make

SEQ_FILE = "seq"
_POLL_MS = 2  # re-check a busy sensor this often
_POLL_TRIES = 25
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
        try:
            return config.load()
        except config.ConfigError as e:
            log.error("%s; safe mode, next check in %d s" % (e, SAFE_MODE_RETRY_MS // 1000))
        await clock.sleep_ms(SAFE_MODE_RETRY_MS)
        if not board.running():
            return None


class Node:
    def __init__(self, board, cfg):
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
        self.mqtt = MQTTClient(
            board.open_tcp, m["host"], m["port"], self.device, m["user"], m["password"], m["keepalive_s"],
            (self.topic + "status", '{"state":"offline"}', True), m["tls"],
        )
        self.seq = persist.load_int(SEQ_FILE, 0)

    async def run(self):
        interval = self.cfg["interval_s"] * 1000
        deadline = clock.ticks()
        while self.board.running():
            await self.sample()
            self.publish_state(deadline)
            deadline = clock.add(deadline, interval)
            await clock.sleep_until(deadline)
        if self.mqtt.connected:
            self.send(self.topic + "status", '{"state":"offline"}', True)
            self.mqtt.disconnect()

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
