# RTC memory (kept over deep sleep and watchdog resets, lost with the power; 2048 bytes on the
# ESP32) shared by the parts of the firmware that need it. Layout: a magic byte that is also the
# layout's version, then sections: id (1 byte), length (2 bytes, little-endian), data. Each part
# reads and replaces only its own section, so none has to know the others' structs.
from micropython import const

APP = const(1)  # node.app: schedule and connection backoff of a deep-sleeping node
LORAWAN = const(2)  # node.net.lorawan: session, counters, duty cycle, budgets
# 3: node.uplink (its _RTC_SEQ_ID): the next seq and the dropped count, at every reading. Not a
#    name here: one more global in this module, loaded at boot, tips the config validator's heap.
_MAGIC = const(0xA7)


def _sections(raw):
    # -> {id: data}; anything that is not this layout (an older firmware's, garbage) is empty
    out = {}
    if not raw or raw[0] != _MAGIC:
        return out
    i = 1
    while i + 3 <= len(raw):
        n = raw[i + 1] | (raw[i + 2] << 8)
        if i + 3 + n > len(raw):
            break
        out[raw[i]] = bytes(raw[i + 3:i + 3 + n])
        i += 3 + n
    return out


def get(board, section):
    # -> what put() kept for this section, or b""
    return _sections(board.rtc_memory()).get(section, b"")


def put(board, section, data):
    parts = _sections(board.rtc_memory())
    parts[section] = data
    out = bytearray((_MAGIC,))
    for sid in sorted(parts):
        d = parts[sid]
        out += bytes((sid, len(d) & 0xFF, len(d) >> 8))
        out += d
    board.save_rtc(out)
