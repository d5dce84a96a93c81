# The MQTT node's two waits without asyncio.wait_for: the uplink's Nap, a sleep another task ends
# early, and the MQTT client's Timeout, under the simulator's virtual clock.
import asyncio

from hal import simtime
from node.net.mqtt import Timeout
from node.uplink import Nap


def start():
    vc = simtime.clock
    vc.start(0, 0)
    return vc


async def test_a_nap_lasts_its_time_unless_woken():
    vc = start()
    nap = Nap()
    await nap.sleep(5000)
    assert vc.elapsed == 5000

    async def wake_at(ms):
        await asyncio.sleep_ms(ms)
        nap.wake()

    waker = asyncio.create_task(wake_at(1200))
    await nap.sleep(60000)
    assert vc.elapsed == 6200  # woken, not at the end of its time
    await waker
    await nap.sleep(100)
    assert vc.elapsed == 6300  # the wake was taken: the next nap is a whole one


async def test_a_wake_before_the_nap_ends_the_next_nap_at_once():
    vc = start()
    nap = Nap()
    nap.wake()
    nap.wake()
    await nap.sleep(60000)
    assert vc.elapsed == 0
    await nap.sleep(100)
    assert vc.elapsed == 100  # two wakes while awake count as one, as for a set Event


async def test_cancelling_a_napping_task_still_cancels_it():
    vc = start()
    nap = Nap()
    napper = asyncio.create_task(nap.sleep(60000))
    await asyncio.sleep_ms(10)
    napper.cancel()
    try:
        await napper
    except asyncio.CancelledError:
        pass
    else:
        raise AssertionError("the cancel was swallowed")
    assert vc.elapsed == 10
    nap.wake()  # nobody sleeps any more: nothing to cancel
    await nap.sleep(500)
    assert vc.elapsed == 10


async def test_a_timeout_cancels_the_task_that_outlives_it():
    vc = start()
    t = Timeout()
    t.arm(500)
    try:
        await asyncio.sleep_ms(60000)
    except asyncio.CancelledError:
        pass
    else:
        raise AssertionError("not cancelled")
    assert t.expired and vc.elapsed == 500


async def test_a_disarmed_timeout_cancels_nothing_and_a_new_arm_gets_a_whole_bound():
    vc = start()
    t = Timeout()
    t.arm(500)
    await asyncio.sleep_ms(400)
    t.disarm()
    t.arm(500)  # while the first deadline's watcher still sleeps
    await asyncio.sleep_ms(400)  # past the first deadline: nothing happens
    t.disarm()
    await asyncio.sleep_ms(5000)
    assert not t.expired and vc.elapsed == 5800
    t.arm(100)  # the watcher ended meanwhile: a new one
    try:
        await asyncio.sleep_ms(1000)
    except asyncio.CancelledError:
        pass
    assert t.expired and vc.elapsed == 5900


async def test_back_to_back_requests_share_one_watcher_task():
    start()
    made = []
    real = asyncio.create_task

    def counting(coro):
        made.append(coro)
        return real(coro)

    asyncio.create_task = counting
    try:
        t = Timeout()
        for _ in range(20):
            t.arm(10000)
            await asyncio.sleep_ms(5)
            t.disarm()
    finally:
        asyncio.create_task = real
    assert len(made) == 1  # wait_for makes two tasks per request
