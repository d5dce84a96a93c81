# Helpers for the LoRaWAN MAC tests (MicroPython): a small network in the simulated air that
# answers join-requests and uplinks in RX1 or RX2 the way a network server does, built from
# node.net.lorawan_frames (checked against lora-packet by tests/host/test_lorawan_oracle.py), and a
# board with RTC memory.
import struct

import cryptolib

from hal import simradio
from node.net import lorawan_frames as lf
from node.net import lorawan_otaa as otaa
from radiosupport import sx1262

DEV_EUI = "70B3D57ED0000001"
JOIN_EUI = "70B3D57ED0000000"
APP_KEY = "2B7E151628AED2A6ABF7158809CF4F3C"
DEV_ADDR = 0x260B1234
NET_ID = 0x000013
CFLIST = (867100000, 867300000, 867500000, 867700000, 867900000)


def lora_cfg(**changes):
    cfg = {"dev_eui": DEV_EUI, "join_eui": JOIN_EUI, "app_key": APP_KEY, "region": "EU868", "dev_addr": None,
           "nwk_s_key": None, "app_s_key": None, "payload": "compact", "confirmed": False, "adr": True, "dr": 5,
           "fair_use": False, "rx1_delay_s": 1, "rx2_dr": 3}
    cfg.update(changes)
    return cfg


class Board:
    def __init__(self, cause="power", rtc=b""):
        self.rtc = rtc
        self.cause = cause

    def rtc_memory(self):
        return self.rtc

    def save_rtc(self, data):
        self.rtc = bytes(data)

    def reset_cause(self):
        return self.cause

    def battery_mv(self):
        return 3750


def join_accept(app_key, join_nonce, net_id, dev_addr, dl_settings, rx_delay, cflist=None):
    # What a join server sends: MHDR | AES-decrypt(JoinNonce | NetID | DevAddr | DLSettings |
    # RxDelay | CFList | MIC) with the AppKey (TS001 6.2.6)
    body = bytearray(struct.pack("<I", join_nonce)[:3] + struct.pack("<I", net_id)[:3] + struct.pack("<I", dev_addr)
                     + bytes((dl_settings, rx_delay)))
    if cflist:
        for f in cflist:
            body += struct.pack("<I", f // 100)[:3]
        body.append(0)  # CFListType 0
    msg = bytes((lf.JOIN_ACCEPT,)) + body
    plain = bytearray(body + lf.cmac(app_key, msg)[:4])
    return bytes((lf.JOIN_ACCEPT,)) + cryptolib.aes(app_key, 1).decrypt(plain)


class Network:
    # Hears every frame the node's chip sends and answers the way a network server would:
    # a join-accept for a join-request with a DevNonce it has not seen, and a downlink after an
    # uplink when it is confirmed or when MAC commands are queued (`commands`, FOpts). lose: the
    # next so many answers are sent but lost. window: 1 (RX1) or 2 (RX2) for the answers.
    def __init__(self, air, app_key=APP_KEY, rx_delay=1, rx2_dr=3, cflist=CFLIST):
        self.air = air
        self.app_key = bytes.fromhex(app_key)
        self.rx_delay = rx_delay
        self.rx2_dr = rx2_dr
        self.cflist = cflist
        self.nonces = []
        self.uplinks = []  # (fcnt, fport, payload, fopts, fctrl, freq, sf, end_us)
        self.joins = []  # (dev_nonce, freq, sf)
        self.commands = b""
        self.lose = 0
        self.window = 1
        self.confirm = False  # send the next downlink as a confirmed one
        self.fcnt_down = 0
        self.session = None
        self.sent = []  # every downlink put on the air: (start_us, freq, sf, phy)
        self.silent = False
        finished = air.finished

        def heard(frame):
            finished(frame)
            if not self.silent:
                self._heard(frame)

        air.finished = heard

    def _heard(self, f):
        p = bytearray(f.payload)
        if p[0] == lf.JOIN_REQUEST:
            self._join(p, f)
        elif p[0] in (lf.UNCONFIRMED_UP, lf.CONFIRMED_UP) and self.session:
            nwk, app = self.session
            last = self.uplinks[-1][0] + 1 if self.uplinks else 0
            d = lf.parse_data(p, len(p), DEV_ADDR, last, nwk, app, down=False)
            self.uplinks.append((d.fcnt, d.fport, bytes(d.payload), bytes(d.fopts), d.fctrl, f.freq_hz, f.sf, f.end_us))
            if d.confirmed or self.commands:
                self._answer(f, d.confirmed)

    def _join(self, p, f):
        nonce = p[17] | (p[18] << 8)
        mic = lf.cmac(self.app_key, bytes(p[:19]))[:4]
        if mic != bytes(p[19:23]) or nonce in self.nonces:
            return
        self.nonces.append(nonce)
        self.joins.append((nonce, f.freq_hz, f.sf))
        self.session = otaa.session_keys(self.app_key, len(self.nonces), NET_ID, nonce)
        self.uplinks = []
        self.fcnt_down = 0
        ja = join_accept(self.app_key, len(self.nonces), NET_ID, DEV_ADDR, self.rx2_dr, self.rx_delay, self.cflist)
        self._put(f, ja, 5000000, f.sf, 0)

    def _answer(self, f, ack):
        nwk, app = self.session
        out = bytearray(64)
        mhdr = lf.CONFIRMED_DOWN if self.confirm else lf.UNCONFIRMED_DOWN
        c = self.commands  # in FOpts, or as the payload on FPort 0 when longer than 15 bytes
        port, payload, fopts = (0, c, b"") if len(c) > 15 else (None, b"", c)
        n = lf.build_data(out, mhdr, DEV_ADDR, self.fcnt_down, port, payload, nwk, app, lf.ACK if ack else 0, fopts)
        self.fcnt_down += 1
        self.commands = b""
        self._put(f, bytes(out[:n]), self.rx_delay * 1000000, f.sf, 3)

    def _put(self, f, phy, delay_us, sf1, rx2_dr):
        if self.window == 1:
            start, freq, sf = f.end_us + delay_us, f.freq_hz, sf1
        else:
            start, freq, sf = f.end_us + delay_us + 1000000, 869525000, 12 - rx2_dr if rx2_dr < 6 else 7
        self.sent.append((start, freq, sf, phy))
        if self.lose:
            self.lose -= 1
            return
        self.air.add(simradio.Transmission(start, freq, sf, 125, 5, phy, crc=False, iq_inverted=True))

    def resend_last(self):
        # the last downlink again, as a replay attack would (after the node's next uplink)
        start, freq, sf, phy = self.sent[-1]
        return phy


async def node(**cfg_changes):
    # -> (network, mac, board, air, chip): a started SX1262 on its own air, a Mac on a fresh board
    from node.net.lorawan import Mac

    air, chip, radio = sx1262()
    net = Network(air)
    await radio.begin()
    board = Board()
    mac = Mac(radio, lora_cfg(**cfg_changes), board)
    return net, mac, board, air, chip


async def joined(**cfg_changes):
    net, mac, board, air, chip = await node(**cfg_changes)
    assert mac.join_wait_ms() == 0
    assert await mac.join()
    return net, mac, board, air, chip


class AppBoard(Board):
    # The board contract (hal/__init__.py) for node.app with a BME280 and an SX1262 on its own air
    # with the Network above; cycles: how many deadlines running() lets pass.
    def __init__(self, radio, cycles, cause="power", rtc=b""):
        from support import MemoryI2C, bme280_chip

        super().__init__(cause, rtc)
        self._radio = radio
        self.cycles = cycles
        self.checks = 0
        self.i2c_bus = MemoryI2C({0x76: bme280_chip(0x60, adc_h=0x6000)})
        self.slept = None

    def setup(self):
        return 0

    def device_id(self):
        return "rl-aabbcc"

    def mac(self):
        return b"\x02\x00\x00\xaa\xbb\xcc"

    def i2c(self, name, overrides=None):
        return self.i2c_bus

    def uart(self, name, baudrate):
        raise OSError(19)

    async def connect_network(self, wifi, timeout_ms):
        raise OSError(19)  # a LoRa node has no Wi-Fi

    def sync_time(self, server):
        return False

    def rssi_dbm(self):
        return None  # no Wi-Fi

    async def connect_tcp(self, host, port, ca, timeout_ms):
        raise OSError(19)

    def running(self):
        self.checks += 1
        return self.checks <= self.cycles

    def stopped(self):
        pass

    def watchdog(self, timeout_ms):
        return self

    def feed(self):
        pass

    def deepsleep(self, ms):
        self.slept = ms
        raise DeepSleep()

    def radio(self):
        return self._radio


class DeepSleep(Exception):
    pass


def write_config(lora=None, extra=""):
    import json

    with open("config.json", "w") as f:
        f.write('{"site": "hof", "interval_s": 300, "sensors": [{"type": "bme280"}], "lora": %s%s}'
                % (json.dumps(lora or {"dev_eui": DEV_EUI, "join_eui": JOIN_EUI, "app_key": APP_KEY}), extra))
