"""The fault counter (sim/scenarios.py count()): readings against what a de-duplicating receiver
keeps; the replay's pairing of console lines with delivered messages; the outbox left at the end."""

import json
import queue
import threading
import time

from reallabor.firmware import devicecode
from reallabor.sim import replay, scenarios


def state(seq, value):
    raw = json.dumps({"seq": seq, "v": value})
    return replay.Message(0, "reallabor/s/d/state", json.loads(raw), raw)


def counted(sampled, states, queued=()):
    return scenarios.count(replay.Result(messages=states, sampled=list(sampled), queued=list(queued)))


def test_every_reading_is_counted_once_and_the_figures_add_up():
    c = counted([0, 1, 2], [state(0, 1), state(1, 2), state(1, 2), state(2, 3)])
    assert (c.sampled, c.delivered, c.lost, c.copies, c.duplicates) == (3, 3, 0, 1, 0)


def test_a_number_used_for_two_readings_is_a_loss():
    # issue 16.1: seq 1 carried two readings (a reuse after a power loss); a receiver that
    # de-duplicates on seq keeps one of them
    c = counted([0, 1, 1, 2], [state(0, 1), state(1, 2), state(1, 7), state(2, 3)])
    assert (c.sampled, c.delivered, c.lost, c.duplicates) == (4, 3, 1, 1)
    c = counted([0, 1, 1], [state(0, 1), state(1, 2)])  # the second one never arrived
    assert (c.sampled, c.delivered, c.lost, c.duplicates) == (3, 2, 1, 0)


def test_a_reading_stored_but_cut_off_before_its_line_is_still_sampled():
    # issue 16.2: a power cut between the flash write and 'sample seq=N'; delivered in the next boot
    c = counted([0, 2], [state(0, 1), state(1, 2), state(2, 3)])
    assert (c.sampled, c.delivered, c.lost) == (3, 3, 0)
    c = counted([0, 1], [state(0, 1)], queued=[1, 2])  # still in the outbox at the end: not lost
    assert (c.sampled, c.delivered, c.lost, c.queued) == (3, 1, 0, 2)


def test_a_last_will_does_not_end_the_wait_for_states_on_their_way():
    # issue 16.2: the broker's own messages (a will on the status topic) counted as the node's
    # ended the wait early, and the last states showed as lost
    result = replay.Result()
    inbox = queue.Queue()
    matcher = replay._Matcher(result, inbox, None)
    for t, topic in ((10, "d/status"), (20, "d/state"), (30, "d/state")):
        matcher.console(f"{t} I pub {topic} 10")
    inbox.put(("d/status", b'{"state":"online"}'))
    inbox.put(("d/status", b'{"state":"offline"}'))  # the will, sent by the broker
    inbox.put(("d/state", b'{"seq":0}'))

    def late():
        time.sleep(0.3)
        inbox.put(("d/state", b'{"seq":1}'))

    threading.Thread(target=late).start()
    matcher.finish(timeout_s=3)
    assert [m.payload["seq"] for m in result.states] == [0, 1]


def test_what_is_left_in_the_outbox_is_read_with_the_firmware_s_own_code(tmp_path):
    outbox = devicecode.firmware_module("node.outbox").Outbox
    box = outbox(path=str(tmp_path / "outbox"), cap=8192)
    for seq in range(5):
        box.put(seq, b"t", b'{"seq":%d}' % seq)
    box.load()
    box.pop(0)
    assert replay.left_in_outbox(tmp_path, 8) == [1, 2, 3, 4]
    assert replay.left_in_outbox(tmp_path / "none", 8) == []


def test_a_crashed_run_says_why_under_the_table(monkeypatch, capsys):
    crashed = replay.Result(messages=[state(0, 1)], sampled=[0], returncode=1,
                            stderr="Traceback (most recent call last):\nMemoryError: memory allocation failed\n")
    fine = replay.Result(messages=[state(0, 1)], sampled=[0])
    results = iter([crashed, fine])
    monkeypatch.setattr(scenarios.replay, "run", lambda *a, **kw: next(results))
    monkeypatch.setenv("REALLABOR_LANG", "en")
    first = scenarios.standard_scenarios(quick=True)[0]
    table = scenarios.print_table([first], [scenarios.OURS, scenarios.Transport("other")])
    assert table["reallabor"][first.name].crash == "MemoryError: memory allocation failed"
    out = capsys.readouterr().out
    assert f"reallabor, {first.name}: crashed with: MemoryError: memory allocation failed" in out
    assert "other," not in out  # a run that completed has nothing to say
