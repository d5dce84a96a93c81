# The comparison transport for `make faults` (bench/faults.py): umqtt.simple used as typical firmware uses it.
# Each reading is published right away with QoS 1 from the sampling cycle (blocking); nothing is
# stored, so a reading that meets a broken connection is gone. The next reading reconnects.
# Runs only in the simulator; it is not part of the firmware.
from node import log, persist
from umqtt.simple import MQTTClient

SEQ_FILE = "seq"


class UmqttUplink:
    def __init__(self, board, cfg, device, topic, sensors):
        m = cfg["mqtt"]
        self.topic = topic
        self.client = MQTTClient(device, m["host"], m["port"], m["user"], m["password"], keepalive=m["keepalive_s"])
        self.client.set_last_will(topic + "status", '{"state":"offline"}', True)
        self.connected = False
        self.fails = 0
        self.discover = False

    def next_seq(self):
        return (persist.load_ints(SEQ_FILE, 1) or [0])[0]

    def put(self, seq, topic, payload, retain):
        log.info("sample seq=%d" % seq)
        try:
            persist.save_ints(SEQ_FILE, (seq + 1,))
        except OSError:
            pass
        try:
            if not self.connected:
                self.client.connect()
                self.connected = True
                self._pub(self.topic + "status", '{"state":"online"}', True)
            self._pub(topic, b"".join(payload), retain)  # the state message comes as a list of bytes parts
            self.fails = 0
        except Exception as e:  # umqtt.simple raises OSError, MQTTException, IndexError...
            log.warn("umqtt: %s not sent: %r" % (topic, e))
            self.fails += 1
            self._close()

    def _pub(self, topic, payload, retain):
        self.client.publish(topic, payload, retain, 1)
        log.info("pub %s %d" % (topic, len(payload)))

    def _close(self):
        self.connected = False
        try:
            self.client.sock.close()
        except Exception:
            pass

    async def run(self):
        pass  # nothing happens between readings

    async def stop(self, task, state):
        await self.finish(window_ms=0, state=state, wake_s=None, connect=False)

    async def finish(self, window_ms, state, wake_s, connect):
        if not self.connected:
            return False
        try:
            self._pub(self.topic + "status", '{"state":"%s"}' % state, True)
            self.client.disconnect()
        except Exception:
            pass
        self._close()
        return True
