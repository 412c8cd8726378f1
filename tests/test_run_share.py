"""The run's lock (tests/run_share.py): one holder at a time, across processes and
threads, and the thread holding it may take it again. Each holder runs in a thread
of its own, so that a lock that never comes fails a test rather than hanging it."""

import threading

from . import run_share

# Long enough for another test process to finish what it does under the lock (a
# migration takes seconds), so that only a lock that never comes fails.
LONG = 120


def in_a_thread(work):
    """Run `work` in a new thread; an event set once it is done."""
    done = threading.Event()

    def run():
        work()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def test_the_thread_holding_the_lock_may_take_it_again():
    def again_and_again():
        with run_share.lock():
            with run_share.lock():
                pass
            with run_share.lock():  # after an inner take let go, the outer still holds
                pass

    assert in_a_thread(again_and_again).wait(LONG), "a take waited for the thread's own"


def test_another_thread_waits_until_the_lock_is_let_go():
    inner_let_go, finish = threading.Event(), threading.Event()

    def hold():
        with run_share.lock():
            with run_share.lock():
                pass
            inner_let_go.set()  # still held by the outer take
            finish.wait(LONG)

    def take():
        with run_share.lock():
            pass

    holder = in_a_thread(hold)
    assert inner_let_go.wait(LONG), "the second take waited for the first"
    other = in_a_thread(take)
    assert not other.wait(0.3), "another thread took the lock while it was held"
    finish.set()
    assert holder.wait(LONG) and other.wait(LONG)
