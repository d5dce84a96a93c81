# Two naive LoRaWAN nodes for comparison (bench/lora.py), the way much hobby firmware keeps its
# state; the rest (sampling, outbox, MAC) is ours. Runs only in the simulator, not part of the firmware.
#   RamCounterUplink   the session is kept on flash (no new join after a power loss), the uplink
#                      frame counter only in RAM: after a power loss it starts again at 0
#   RandomNonceUplink  nothing is kept on flash: a new join after every power loss, with a random
#                      DevNonce (LoRaWAN 1.0.2 allowed that; 1.0.4 networks refuse one that does not increase)
import os

from node import lora_uplink
from node.net import lorawan


class _RamCounterMac(lorawan.Mac):
    def _counter(self):
        return self.fcnt_up  # nothing reserved on flash


class RamCounterUplink(lora_uplink.LoraUplink):
    MAC = _RamCounterMac


def _random_nonce():
    return int.from_bytes(os.urandom(2), "little")


def _forget(mac):
    pass  # no session on flash


class _RandomNonceMac(lorawan.Mac):
    def __init__(self, radio, lora, board):
        lorawan.save_session = _forget  # neither after a join nor after a downlink
        super().__init__(radio, lora, board)

    async def join(self):
        from node.net import lorawan_join

        lorawan_join.take_dev_nonce = _random_nonce
        lorawan_join.save_session = _forget
        return await lorawan_join.join(self)


class RandomNonceUplink(lora_uplink.LoraUplink):
    MAC = _RandomNonceMac
