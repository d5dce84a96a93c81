# LoRaWAN 1.0.4 frames (node.net.lorawan_frames) against RFC 4493, the published LoRaWAN example and
# tests/vectors/lorawan-frames.json (downlinks and join-accepts made by npm lora-packet; the host test
# tests/host/test_lorawan_oracle.py checks the whole file and random frames with lora-packet).
import json

from node.net import lorawan_frames as lf
from node.net import lorawan_otaa as otaa
from support import raises

h = bytes.fromhex
NWK = h("44024241ed4ce9a68c6a8bc055233fd3")
APP = h("ec925802ae430ca77fd3dd73cb2cc588")
PUBLISHED = h("40f17dbe4900020001954378762b11ff0d")  # DevAddr 49be7df1, FCnt 2, FPort 1, "test"


def vectors():
    with open(__file__.rsplit("/", 2)[0] + "/vectors/lorawan-frames.json") as f:
        return json.load(f)


def test_cmac_rfc4493_examples():
    # RFC 4493 section 4: empty, one block, 40 bytes (padded last block), four blocks
    key = h("2b7e151628aed2a6abf7158809cf4f3c")
    msg = h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411"
            "e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
    assert lf.cmac(key, b"") == h("bb1d6929e95937287fa37d129b756746")
    assert lf.cmac(key, msg[:16]) == h("070a16b46b4d4144f79bdd9dd04a287c")
    assert lf.cmac(key, msg[:40]) == h("dfa66747de9ae63030ca32611497c827")
    assert lf.cmac(key, msg) == h("51f0bebf7e3b9d92fc49741779363cfe")
    assert lf.cmac(key, memoryview(bytearray(msg))[:40]) == h("dfa66747de9ae63030ca32611497c827")


def test_aes128_is_one_block_of_ecb():
    # FIPS-197 appendix C.1
    assert lf.aes128(h("000102030405060708090a0b0c0d0e0f"), h("00112233445566778899aabbccddeeff")) == \
        h("69c4e0d86a7b0430d8cdb78070b4c55a")


def test_published_uplink_bytes():
    out = bytearray(32)
    n = lf.build_data(out, lf.UNCONFIRMED_UP, 0x49BE7DF1, 2, 1, b"test", NWK, APP)
    assert bytes(out[:n]) == PUBLISHED


def test_uplink_vectors():
    out = bytearray(255)
    for v in vectors()["uplinks"]:
        n = lf.build_data(out, v["mhdr"], int(v["devaddr"], 16), v["fcnt"], v["fport"], h(v["payload"]),
                          h(v["nwkskey"]), h(v["appskey"]), v["fctrl"], h(v["fopts"]))
        assert bytes(out[:n]).hex() == v["phy"], v["description"]


def test_uplink_header_fields():
    out = bytearray(64)
    n = lf.build_data(out, lf.CONFIRMED_UP, 0x260B1234, 0x12345, 7, b"\x01\x02", NWK, APP,
                      lf.ADR | lf.ADR_ACK_REQ | lf.ACK | 0x0F, b"\x02\x03")  # FOptsLen comes from fopts
    assert n == 1 + 4 + 1 + 2 + 2 + 1 + 2 + 4
    assert out[0] == 0x80 and out[1:5] == h("34120b26")
    assert out[5] == 0xE2  # ADR | ADRACKReq | ACK | FOptsLen 2
    assert out[6:8] == h("4523")  # only the 16 low bits of FCnt on the wire
    assert out[8:10] == h("0203") and out[10] == 7  # FOpts plain (1.0.x), then FPort
    assert out[11:13] != b"\x01\x02"  # encrypted


def test_uplink_round_trip_and_keys_by_port():
    # The parser takes uplinks too (down=False); FPort 0 is encrypted with the NwkSKey, others with the AppSKey
    out = bytearray(64)
    for port in (1, 0):
        n = lf.build_data(out, lf.UNCONFIRMED_UP, 0x11223344, 70000, port, b"\x03\x07", NWK, APP)
        other = bytearray(64)
        lf.build_data(other, lf.UNCONFIRMED_UP, 0x11223344, 70000, port, b"\x03\x07", NWK, bytes(16))
        assert (other[9:11] == out[9:11]) == (port == 0)
        d = lf.parse_data(out, n, 0x11223344, 69999, NWK, APP, down=False)
        assert (d.fport, bytes(d.payload), d.fcnt, d.confirmed) == (port, b"\x03\x07", 70000, False)


def test_build_refuses_what_the_spec_forbids():
    out = bytearray(32)
    raises(ValueError, lf.build_data, out, lf.UNCONFIRMED_UP, 1, 0, 1, b"", NWK, APP, 0, bytes(16))  # FOpts > 15
    raises(ValueError, lf.build_data, out, lf.UNCONFIRMED_UP, 1, 0, 0, b"\x02", NWK, APP, 0, b"\x02")  # FOpts + port 0
    raises(ValueError, lf.build_data, out, lf.UNCONFIRMED_UP, 1, 0, None, b"x", NWK, APP)  # payload without port
    raises(ValueError, lf.build_data, out, lf.JOIN_REQUEST, 1, 0, 1, b"x", NWK, APP)  # no data frame
    raises(ValueError, lf.build_data, out, lf.UNCONFIRMED_UP, 1, 0, 1, bytes(20), NWK, APP)  # 34 bytes into 32
    assert len(out) == 32


def test_downlink_vectors_from_lora_packet():
    for v in vectors()["downlinks"]:
        frame = bytearray(h(v["phy"]))
        want = v["expect"]
        if "error" in want:
            e = raises(lf.FrameError, lf.parse_data, frame, len(frame), int(v["devaddr"], 16), v["fcnt_next"],
                       h(v["nwkskey"]), h(v["appskey"]))
            assert str(e) == want["error"], v["description"]
            continue
        d = lf.parse_data(frame, len(frame), int(v["devaddr"], 16), v["fcnt_next"], h(v["nwkskey"]), h(v["appskey"]))
        got = {"fcnt": d.fcnt, "fport": d.fport, "payload": bytes(d.payload).hex(), "fopts": bytes(d.fopts).hex(),
               "ack": d.ack, "fpending": d.fpending, "adr": d.adr, "confirmed": d.confirmed}
        assert got == want, v["description"]
        sent = v["sent"]  # what lora-packet was asked to build
        assert (d.fcnt, d.fport, bytes(d.payload).hex(), bytes(d.fopts).hex()) == \
            (sent["fcnt"], sent["fport"], sent["payload"], sent["fopts"]), v["description"]


def test_downlink_is_dropped_when():
    v = vectors()["downlinks"][0]  # FCnt 65538 = 0x00010002, 0x0002 on the wire
    good = h(v["phy"])
    addr, nwk, app = int(v["devaddr"], 16), h(v["nwkskey"]), h(v["appskey"])

    def parse(frame, fcnt_next=65530, devaddr=addr):
        frame = bytearray(frame)
        return str(raises(lf.FrameError, lf.parse_data, frame, len(frame), devaddr, fcnt_next, nwk, app))

    assert lf.parse_data(bytearray(good), len(good), addr, 65530, nwk, app).fcnt == 65538
    assert lf.parse_data(bytearray(good), len(good), addr, 65538, nwk, app).fcnt == 65538  # a repeat: the MAC decides
    assert parse(good[:-1] + bytes((good[-1] ^ 1,))) == "MIC"
    assert parse(good[:12] + bytes((good[12] ^ 0x80,)) + good[13:]) == "MIC"  # payload bit flipped
    assert parse(good, fcnt_next=0) == "MIC"  # the counter 2, not 65538: the MIC covers all 32 bits
    assert parse(good, fcnt_next=65539) == "MIC"  # next one ending in 0x0002 is 131074
    assert parse(good, devaddr=addr + 1) == "DevAddr %08x" % addr
    assert parse(PUBLISHED) == "MHDR 0x40"  # an uplink
    assert parse(good[:11]) == "11 bytes"
    assert parse(good[:5] + b"\x2f" + good[6:]) == "FOptsLen 15 in 16 bytes"


def test_join_request_vectors():
    out = bytearray(23)
    for v in vectors()["join_requests"]:
        n = otaa.build_join_request(out, h(v["join_eui"]), h(v["dev_eui"]), v["dev_nonce"], h(v["appkey"]))
        assert n == 23 and bytes(out).hex() == v["phy"], v["description"]
    # wire order: MHDR, JoinEUI and DevEUI reversed, DevNonce little-endian
    assert out[0] == 0 and out[1:9] == bytes(8) and out[9:17] == h("1032547698badcfe") and out[17:19] == h("3412")


def test_join_accept_vectors_from_lora_packet():
    for v in vectors()["join_accepts"]:
        frame = bytearray(h(v["phy"]))
        j = otaa.parse_join_accept(frame, len(frame), h(v["appkey"]), v["dev_nonce"])
        got = {"join_nonce": j.join_nonce, "net_id": j.net_id, "dev_addr": "%08x" % j.dev_addr,
               "rx1_dr_offset": j.rx1_dr_offset, "rx2_dr": j.rx2_dr, "rx_delay": j.rx_delay,
               "cflist": None if j.cflist is None else list(j.cflist), "nwkskey": j.nwkskey.hex(),
               "appskey": j.appskey.hex()}
        assert got == v["expect"], v["description"]
    ja = vectors()["join_accepts"][1]
    assert ja["expect"]["cflist"] == [867100000, 867300000, 867500000, 867700000, 867900000]
    assert ja["expect"]["rx_delay"] == 1  # RxDelay 0 on the wire


def test_join_accept_is_refused_when():
    v = vectors()["join_accepts"][0]
    good = h(v["phy"])

    def parse(frame, key=h(v["appkey"])):
        frame = bytearray(frame)
        return str(raises(lf.FrameError, otaa.parse_join_accept, frame, len(frame), key, 0))

    assert parse(good, key=bytes(16)) == "MIC"
    assert parse(good[:-1] + bytes((good[-1] ^ 1,))) == "MIC"
    assert parse(good[:16]) == "no join-accept"
    assert parse(b"\x40" + good[1:]) == "no join-accept"


def test_session_keys_are_those_of_the_join_accept():
    v = vectors()["join_accepts"][1]
    e = v["expect"]
    nwk, app = otaa.session_keys(h(v["appkey"]), e["join_nonce"], e["net_id"], v["dev_nonce"])
    assert (nwk.hex(), app.hex()) == (e["nwkskey"], e["appskey"])
    # the DevNonce enters the keys: another one gives other keys
    assert otaa.session_keys(h(v["appkey"]), e["join_nonce"], e["net_id"], v["dev_nonce"] + 1)[0] != nwk


def test_frames_allocate_little():
    # Building and checking a data frame reuses the module's buffers: what it allocates is the fresh
    # AES object per operation (two each) and a few small objects
    import cryptolib
    import gc

    gc.collect()
    before = gc.mem_alloc()
    cryptolib.aes(NWK, 1)
    aes = gc.mem_alloc() - before
    out = bytearray(64)
    payload = bytes(11)
    lf.build_data(out, lf.UNCONFIRMED_UP, 0x260B1234, 1, 1, payload, NWK, APP)
    gc.collect()
    before = gc.mem_alloc()
    n = lf.build_data(out, lf.UNCONFIRMED_UP, 0x260B1234, 2, 1, payload, NWK, APP)
    lf.parse_data(out, n, 0x260B1234, 2, NWK, APP, down=False)
    used = gc.mem_alloc() - before
    assert used <= 4 * aes + 512, (used, aes)
