"""Long calls can be stopped: ginv.cancel() from another thread, or an
exception raised in a progress callback (which is how Ctrl-C reaches a
Python program during a C call: as KeyboardInterrupt in the callback),
stops the C run at its next check and raises; nothing is returned half."""
import threading
import time

import numpy as np
import pytest

import ginv


@pytest.fixture
def problem():
    net = ginv.Net.random([8, 64, 256], seed=3)
    op = ginv.Op.gaussian(40, net.n, seed=3)
    z0 = np.random.default_rng(1).standard_normal(8).astype(np.float32)
    return net, op, op.apply(net.forward(z0))


def test_exception_in_progress_callback_stops_csgm_and_is_raised(problem):
    net, op, y = problem
    calls = []

    def progress(what, done, total):
        calls.append(done)
        raise KeyboardInterrupt

    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ginv.csgm(net, op, np.tile(y, (4, 1)), restarts=2, iters=200000, progress=progress)
    assert len(calls) == 1  # the run stopped at its first check after the callback
    assert time.monotonic() - t0 < 20  # 200000 iterations would take minutes
    # the next call is not cancelled: the flag is reset per call
    z, x, loss = ginv.csgm(net, op, y, restarts=1, iters=5)
    assert np.all(np.isfinite(z))


def test_cancel_from_another_thread_raises_cancelled_error(problem):
    net, op, y = problem
    timer = threading.Timer(0.5, ginv.cancel)
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(ginv.CancelledError):
            ginv.recover(net, op, y, restarts=4, iters=10_000_000)
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 20
    res = ginv.recover(net, op, y, restarts=2, iters=50)
    assert res.iters == 50


def test_recover_is_the_c_trial_body_with_every_restarts_end(problem):
    net, op, y = problem
    res = ginv.recover(net, op, y, algo="gd", lr=0.5, restarts=3, iters=30, seed=7, trial=2,
                       kink="onesided")
    assert res.z_restarts.shape == (3, 8) and res.f_restarts.shape == (3,)
    assert res.best_restart == int(np.argmin(res.f_restarts))
    np.testing.assert_array_equal(res.z, res.z_restarts[res.best_restart])
    # explicit starts give the same run as the drawn ones they equal
    again = ginv.recover(net, op, y, algo="gd", lr=0.5, iters=30, seed=7, trial=2, kink="onesided",
                         z_init=ginv.recover(net, op, y, algo="gd", restarts=3, iters=0, seed=7,
                                             trial=2).z_restarts)
    np.testing.assert_array_equal(again.z_restarts, res.z_restarts)
