"""verify reads why a node did not deliver from its console log (lines as the firmware writes them,
node/uplink.py): the newest connection failure wins, in plain words."""

from reallabor.boardio.verify import cause


def test_each_cause_from_the_firmware_s_own_lines():
    assert cause("10 W mqtt: connect failed: MQTTError('connection refused: not authorised',); next try in 2 s") == \
        ("not_authorised", "connection refused: not authorised")
    assert cause("10 W mqtt: connect failed: MQTTError('connection refused: bad user name or password',); "
                 "next try in 2 s")[0] == "not_authorised"
    assert cause("10 W mqtt: connect failed: OSError(111,); next try in 1 s") == ("unreachable", "[Errno 111] ECONNREFUSED")
    assert cause("10 W mqtt: connect failed: OSError(113,); next try in 1 s")[0] == "unreachable"
    assert cause("10 W mqtt: connect failed: MQTTError('no answer within 10000 ms',); next try in 4 s")[0] == "unreachable"
    assert cause("10 W mqtt: connect failed: MQTTError('TLS: certificate verify failed',); next try in 2 s") == \
        ("tls", "TLS: certificate verify failed")
    assert cause("10 W mqtt: no wall time yet (NTP pool.ntp.org), TLS waits for it")[0] == "no_time"
    assert cause("10 W mqtt: connect failed: MQTTError('expected CONNACK, got packet type 0x20',); next try in 2 s") == \
        ("other", "expected CONNACK, got packet type 0x20")


def test_the_newest_failure_counts_and_other_lines_do_not():
    log = "\n".join(["0 I boot", "5 W mqtt: connect failed: OSError(111,); next try in 1 s",
                     "1200 W mqtt: connect failed: MQTTError('connection refused: not authorised',); next try in 2 s",
                     ">>> print('mqtt: connect failed: x')", "Traceback (most recent call last):"])
    assert cause(log)[0] == "not_authorised"
    assert cause("0 I mqtt connected to mqtt://h:1883\n1 I pub a/b/c/state 70") is None
