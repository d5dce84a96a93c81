"""The host's part of a trace's fault events: broker, proxy and gateway faults carried out when the
simulated board reaches them (fire), or while it is off (advance). Power and flash faults are the
simulated board's own (firmware/hal/simfaults.py)."""

from reallabor.errors import EXIT_FAILED, ReallaborError


class FaultDriver:
    def __init__(self, faults: list[dict], broker, proxy, subscriber, gateway=None):
        self.faults = faults
        self.broker = broker
        self.proxy = proxy
        self.subscriber = subscriber
        self.gateway = gateway  # a LoRa replay's (sim/gateway.py)
        self.done: set[int] = set()

    def off_ms(self, index: int) -> int:
        return self.faults[index]["off_ms"]

    def advance(self, to_ms: int) -> None:
        """Faults up to a boot at to_ms (inclusive), which the board will not see itself."""
        for i, f in enumerate(self.faults):
            if f["t"] <= to_ms and i not in self.done:
                self.fire(i)

    def fire(self, index: int) -> None:
        if index in self.done:
            return
        self.done.add(index)
        f = self.faults[index]
        kind = f["fault"]
        if kind in ("gateway_down", "gateway_up"):
            if self.gateway:
                self.gateway.set_down(kind == "gateway_down")
        elif kind == "downlinks_lost":
            if self.gateway:
                self.gateway.lose_next(f["count"])
        elif kind in ("network_down", "network_up"):
            self.proxy.set_network(kind == "network_up")
        elif kind == "cut":
            self.proxy.cut(f["packet"])
        elif kind == "broker_stop":
            self.subscriber.sync()  # what the broker accepted reaches us before it goes down
            self.broker.stop()
            self.subscriber.wait_disconnected(10)
        elif kind == "broker_start":
            self.broker.start()
            if not self.subscriber.wait_subscribed(10):
                raise ReallaborError("broker.unreachable", EXIT_FAILED, url=self.broker.url, error="no SUBACK")
