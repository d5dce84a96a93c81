# The persistent outbox: order, acknowledgement, byte budget, and recovery from a power cut at
# any byte of an append (the file is cut where the write stopped, as a torn write leaves it).
import os

from node import outbox
from node.outbox import Outbox
from support import full_flash, raises

TOPIC = "reallabor/hof/n1/state"


def payload(seq):
    return ('{"seq":%d,"t":"%s"}' % (seq, "°" * (seq % 7))).encode()  # bytes, as the codecs make them


def drain(box):
    out = []
    while True:
        seq = box.load()
        if seq is None:
            return out
        assert bytes(box.topic()) == TOPIC.encode()
        assert bytes(box.payload()) == payload(seq)
        out.append(seq)
        box.pop(seq)


def fill(box, seqs):
    for s in seqs:
        box.put(s, TOPIC, payload(s))


def test_messages_leave_in_order_and_only_when_acknowledged():
    box = Outbox("ob", cap=64 * 1024)
    assert not box.pending() and box.load() is None and box.next_seq == 0
    fill(box, range(5))
    assert box.load() == 0 and box.load() == 0  # not acknowledged: still the oldest
    box.pop(0)
    assert box.load() == 1
    again = Outbox("ob", cap=64 * 1024)  # a restart: the acknowledged one stays gone
    assert drain(again) == [1, 2, 3, 4]
    assert Outbox("ob", cap=64 * 1024).load() is None


def test_sequence_numbers_survive_restarts_even_when_empty():
    box = Outbox("ob")
    fill(box, range(3))
    assert Outbox("ob").next_seq == 3
    drain(box)
    assert Outbox("ob").next_seq == 3  # from the head file once every record is gone


def test_segments_roll_over_and_are_removed_once_delivered():
    box = Outbox("ob", cap=8 * 1024)  # 1 KiB segments, ~60-byte records
    fill(box, range(60))
    assert len([n for n in os.listdir("ob") if n.isdigit()]) > 2
    assert drain(Outbox("ob", cap=8 * 1024)) == list(range(60))
    box = Outbox("ob", cap=8 * 1024)
    assert len([n for n in os.listdir("ob") if n.isdigit()]) == 1
    fill(box, range(60, 62))
    assert drain(Outbox("ob", cap=8 * 1024)) == [60, 61]


def test_full_outbox_drops_the_oldest_and_counts_them():
    box = Outbox("ob", cap=4 * 1024)
    fill(box, range(200))
    total = sum(os.stat("ob/" + n)[6] for n in os.listdir("ob") if n.isdigit())
    assert total <= 4 * 1024
    kept = drain(Outbox("ob", cap=4 * 1024))
    assert kept == list(range(200 - len(kept), 200))  # the newest, in order
    assert Outbox("ob", cap=4 * 1024).dropped == 200 - len(kept) > 0


def test_acknowledgement_of_a_dropped_message_is_ignored():
    box = Outbox("ob", cap=4 * 1024)
    fill(box, range(3))
    assert box.load() == 0
    fill(box, range(3, 200))  # the record in flight is dropped to make room
    box.pop(0)
    first = box.load()
    assert first > 3 and box.dropped == first


def test_too_large_message_is_refused():
    box = Outbox("ob")
    raises(ValueError, box.put, 0, TOPIC, b"x" * outbox.MAX_RECORD)
    assert not box.pending()


def test_power_cut_at_every_byte_of_an_append():
    fill(Outbox("ob"), range(3))
    with open("ob/0", "rb") as f:
        full = f.read()
    box = Outbox("ob")
    box.put(3, TOPIC, payload(3))
    with open("ob/0", "rb") as f:
        grown = f.read()
    for cut in range(len(full), len(grown)):
        with open("ob/0", "wb") as f:
            f.write(grown[:cut])
        box = Outbox("ob")
        assert box.next_seq == 3  # the torn record never counted
        box.put(3, TOPIC, payload(3))  # the sample is stored again after the restart
        box.put(4, TOPIC, payload(4))
        assert drain(Outbox("ob")) == [0, 1, 2, 3, 4]
        with open("ob/0", "wb") as f:
            f.write(full)
        os.remove("ob/head")


def test_power_cut_while_replacing_the_head():
    box = Outbox("ob")
    fill(box, range(3))
    box.load()
    box.pop(0)
    with open("ob/head.tmp", "w") as f:
        f.write("0 1")  # torn new head that never got renamed
    assert drain(Outbox("ob")) == [1, 2]
    assert "head.tmp" not in os.listdir("ob")


def test_damaged_head_file_sends_everything_again():
    box = Outbox("ob")
    fill(box, range(3))
    box.load()
    box.pop(0)
    with open("ob/head", "w") as f:
        f.write("garbage")
    box = Outbox("ob")
    assert drain(box) == [0, 1, 2] and box.next_seq == 3  # duplicates, which receivers drop by seq


def _head_lines():
    with open("ob/head") as f:
        return f.read().split("\n")


def test_each_acknowledgement_appends_a_head_line_and_the_file_is_written_anew_now_and_then():
    # An append costs less than a new file and a rename, once a message; the file is written anew
    # at the first save after boot (an older firmware's head, a torn line) and once it is 256 bytes.
    os.mkdir("ob")
    with open("ob/head", "w") as f:
        f.write("0 0 0 0 64 ")  # as the previous firmware wrote it: no newline
    box = Outbox("ob")
    fill(box, range(40))  # the reservation ran low at 32: the head's first save, written anew
    assert len(_head_lines()) == 2  # one whole line
    lines, sizes = [], []
    for seq in range(40):
        assert box.load() == seq
        box.pop(seq)
        lines.append(len(_head_lines()) - 1)  # whole lines: each ends with a newline
        sizes.append(len("\n".join(_head_lines())))
        assert Outbox("ob").load() == (seq + 1 if seq < 39 else None)  # the last line counts
    assert lines[:3] == [2, 3, 4]  # appended to
    assert lines.count(1) >= 2 and max(sizes) < 256 + 16  # written anew each time it reached 256 bytes


def test_a_torn_head_line_is_passed_over():
    box = Outbox("ob")
    fill(box, range(4))
    for seq in range(2):
        box.load()
        box.pop(seq)
    with open("ob/head", "a") as f:
        f.write("0 9")  # a power cut while a line was appended
    box = Outbox("ob")
    assert box.load() == 2  # the last whole line
    box.pop(2)
    assert _head_lines()[-1] == "" and len(_head_lines()) == 2  # the next save wrote it anew
    assert drain(Outbox("ob")) == [3]


def test_numbers_are_reserved_on_flash_ahead_of_the_next_one():
    # issue 16.1: a reading the flash refuses may still leave the node from RAM under a number
    # below the reservation; a node that lost its RAM goes on above it
    box = Outbox("ob")
    assert box.reserved == 0  # nothing stored yet, nothing reserved
    for seq in range(100):
        box.put(seq, TOPIC, payload(seq))
        assert box.reserved - box.next_seq >= 32
        assert Outbox("ob").reserved == box.reserved  # it is on flash
    assert outbox.persist.load_ints("ob/head", 5)[2:] == [box.next_seq, 0, box.reserved]
    writes = []
    persist = outbox.persist
    saved, appended = persist.save_ints, persist.append_ints
    persist.save_ints = lambda path, values: writes.append(values) or saved(path, values)
    persist.append_ints = lambda path, values: writes.append(values) or appended(path, values)
    try:
        fill(box, range(100, 196))
    finally:
        persist.save_ints, persist.append_ints = saved, appended
    assert 2 <= len(writes) <= 3  # one head write per 32 or so readings while nothing is acknowledged


def test_a_head_of_an_older_firmware_reserves_nothing():
    os.mkdir("ob")
    with open("ob/head", "w") as f:
        f.write("0 0 7 2")  # segment, offset, next seq, dropped
    box = Outbox("ob")
    assert (box.next_seq, box.dropped, box.reserved) == (7, 2, 7)
    box.put(7, TOPIC, payload(7))
    with open("ob/head") as f:
        assert [int(v) for v in f.read().split()] == [0, 0, 8, 2, 8 + 64]


def test_start_up_on_a_full_flash():
    # the start-up scan cannot cut a torn tail or remove anything: it keeps what it can read and
    # appends to a fresh segment once the flash takes writes again
    faults = full_flash()
    try:
        fill(Outbox("ob"), range(3))
        with open("ob/0", "ab") as f:
            f.write(b"\xa5\x00torn")
        with open("ob/head.tmp", "w") as f:
            f.write("0 1")
        faults.flash_full = True
        box = Outbox("ob")
        assert box.next_seq == 3 and box.load() == 0
        raises(OSError, box.put, 3, TOPIC, payload(3))
        faults.flash_full = False
        box.put(3, TOPIC, payload(3))
        assert drain(Outbox("ob")) == [0, 1, 2, 3]
    finally:
        os.chdir("/")
        os.umount("/flash")


def test_a_message_larger_than_the_buffer_grows_it_and_stays_readable():
    ob = Outbox(cap=8192, record_bytes=64)
    big = b"x" * 500
    ob.put(0, "t/state", big)
    again = Outbox(cap=8192, record_bytes=64)  # after a restart: the buffer starts small again
    assert again.load() == 0 and bytes(again.payload()) == big


def _counting_open(modes):
    def counted(path, mode="r"):
        modes.append(mode)
        return open(path, mode)

    return counted


def test_a_message_just_stored_is_sent_without_reading_it_back():
    # Every reading of an always-on node is stored, then sent at once: the record stays in the
    # buffer it was made in, so the flash is written once a reading and read not at all.
    box = Outbox("ob")
    modes = []
    outbox.open = _counting_open(modes)
    try:
        for seq in range(3):
            box.put(seq, TOPIC, [b'{"seq":%d,' % seq, '"t":"°"}'.encode()])  # a payload in parts, as the codec gives it
            assert box.load() == seq
            assert bytes(box.topic()) == TOPIC.encode() and bytes(box.payload()) == ('{"seq":%d,"t":"°"}' % seq).encode()
            box.pop(seq)
    finally:
        del outbox.open
    assert "rb" not in modes and modes.count("ab") == 3
    assert Outbox("ob").load() is None  # the acknowledgements reached the head
    fill(box, range(3, 5))
    assert drain(Outbox("ob")) == [3, 4]  # on flash as sent: a restart reads them the same


def test_a_message_stored_while_another_is_being_sent_leaves_that_one_intact():
    box = Outbox("ob")
    fill(box, range(2))
    assert box.load() == 0
    sending = box.payload()  # what the MQTT client is writing out right now
    box.put(2, TOPIC, payload(2))
    assert bytes(sending) == payload(0)
    box.pop(0)
    assert drain(box) == [1, 2]
