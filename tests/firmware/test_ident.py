from node import ident
from support import raises


def test_mac_round_trip_and_ids():
    mac = ident.parse_mac("24:6F:28:A1:B2:C3")
    assert mac == b"\x24\x6f\x28\xa1\xb2\xc3"
    assert ident.parse_mac("246f28a1b2c3") == mac and ident.parse_mac("24-6f-28-a1-b2-c3") == mac
    assert ident.mac_text(mac) == "24:6f:28:a1:b2:c3"
    assert ident.device_id(mac) == "rl-a1b2c3"
    assert ident.dev_eui(mac) == "246F28FFFEA1B2C3"


def test_bad_mac_is_refused():
    raises(ValueError, ident.parse_mac, "24:6f:28:a1:b2")
    raises(ValueError, ident.parse_mac, "24:6f:28:a1:b2:zz")
