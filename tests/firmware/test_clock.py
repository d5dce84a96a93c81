# node.clock's Nap: a sleep another task ends early, under the simulator's virtual clock.
import asyncio

from hal import simtime
from node import clock


def start():
    vc = simtime.clock
    vc.start(0, 0)
    return vc


async def test_a_nap_lasts_its_time_unless_woken():
    vc = start()
    nap = clock.Nap()
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
    nap = clock.Nap()
    nap.wake()
    nap.wake()
    await nap.sleep(60000)
    assert vc.elapsed == 0
    await nap.sleep(100)
    assert vc.elapsed == 100  # two wakes while awake count as one, as for a set Event


async def test_cancelling_a_napping_task_still_cancels_it():
    vc = start()
    nap = clock.Nap()
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
