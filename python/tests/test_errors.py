"""Bad input is refused with ValueError before any C call; library failures
raise ginv.Error subclasses carrying ginv_last_error(); closed objects raise."""
import gc

import numpy as np
import pytest

import ginv


@pytest.fixture
def small():
    net = ginv.Net.random([3, 20, 30], seed=1)
    op = ginv.Op.gaussian(8, 30, seed=1)
    yield net, op
    net.close()
    op.close()


@pytest.mark.parametrize("bad", [
    "abc", b"abc", None, np.zeros(3, np.complex64), np.zeros(3, bool), np.array(["1", "2", "3"]),
    np.zeros((2, 4), np.float32), np.zeros(4, np.float32), np.zeros((2, 2, 3), np.float32),
    [[1, 2, 3], [1, 2]], np.array([object(), 1, 2], dtype=object)])
def test_forward_refuses_bad_latents(small, bad):
    net, _ = small
    with pytest.raises(ValueError) as e:
        net.forward(bad)
    assert "z" in str(e.value)


def test_value_errors_before_c(small):
    net, op = small
    z = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError, match="dx"):
        net.vjp(z, np.zeros((3, 30), np.float32))        # rows disagree
    with pytest.raises(ValueError, match="dx"):
        net.vjp(z, np.zeros((2, 29), np.float32))
    with pytest.raises(ValueError, match="x"):
        op.apply(np.zeros(31, np.float32))
    with pytest.raises(ValueError, match="y"):
        op.adjoint(np.zeros((1, 9)))
    y = np.zeros(8, np.float32)
    with pytest.raises(ValueError, match="NaN"):
        ginv.recover(net, op, np.full(8, np.nan))
    with pytest.raises(ValueError, match="y"):
        ginv.recover(net, op, np.zeros(7))
    with pytest.raises(ValueError, match="algo"):
        ginv.recover(net, op, y, algo="lbfgs")
    with pytest.raises(ValueError, match="restarts"):
        ginv.recover(net, op, y, restarts=0)
    with pytest.raises(ValueError, match="lr"):
        ginv.recover(net, op, y, lr=-1)
    with pytest.raises(ValueError, match="seed"):
        ginv.recover(net, op, y, seed=-1)
    with pytest.raises(ValueError, match="iters"):
        ginv.recover(net, op, y, iters=2.5)
    with pytest.raises(ValueError, match="net must be"):
        ginv.recover(op, op, y)
    with pytest.raises(ValueError, match="size"):
        ginv.recover(net, ginv.Op.gaussian(8, 31), y)
    with pytest.raises(ValueError, match="sigma"):
        ginv.sample(net, op, y, sigma=0)
    with pytest.raises(ValueError, match="radius"):
        ginv.sample(net, op, y, sigma=1, sampler="projected")
    with pytest.raises(ValueError, match="init"):
        ginv.sample(net, op, y, sigma=1, init=np.zeros((3, 3)))  # 4 chains
    with pytest.raises(ValueError, match="draws"):
        ginv.diagnostics(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="no problem"):
        ginv.decide(net)
    with pytest.raises(ValueError, match="m"):
        ginv.Op.gaussian(0, 5)
    with pytest.raises(ValueError, match="idx"):
        ginv.Op.subsample(5, [0.5, 1.5])
    with pytest.raises(ValueError, match="outside"):
        ginv.Op.subsample(5, np.array([2**32 + 1], np.int64))  # would wrap to 1 as int32
    with pytest.raises(ValueError, match="idx"):
        ginv.Op.subsample(5, [])
    with pytest.raises(ValueError, match="layers"):
        ginv.Net.random([3])
    with pytest.raises(ValueError, match="act"):
        ginv.Net.random([3, 4], act="gelu")
    with pytest.raises(ValueError, match="path"):
        ginv.Net.load(3)
    with pytest.raises(ValueError, match="progress"):
        ginv.csgm(net, op, y, progress=3)


def test_library_errors_carry_the_message(tmp_path):
    missing = tmp_path / "nope.safetensors"
    with pytest.raises(ginv.FileError) as e:
        ginv.Net.load(missing)
    assert str(missing) in str(e.value) and e.value.status == 2
    assert isinstance(e.value, OSError) and isinstance(e.value, ginv.Error)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{\"a\":1}")
    with pytest.raises(ginv.FormatError) as e:
        ginv.Net.load(bad)
    assert e.value.message and isinstance(e.value, ValueError)
    with pytest.raises(ginv.ArgumentError, match="unknown operator"):
        ginv.Op.from_spec("bogus", 10)
    with pytest.raises(ginv.ArgumentError, match="needs parameter 'm'"):
        ginv.Op.from_spec("gaussian", 10)
    with pytest.raises(ginv.ArgumentError, match="repeats"):
        ginv.Op.subsample(5, [1, 1])
    with pytest.raises(ginv.Error):
        ginv.Op.from_spec("downsample:2", 10)  # 10 is no square image
    with pytest.raises(ginv.ArgumentError):
        ginv.Net.random([3, 4], init="he")
    assert ginv.last_error()


def test_numeric_error_from_a_diverging_solver():
    net = ginv.Net.random([3, 20, 30], seed=1, act="identity")
    op = ginv.Op.gaussian(8, 30, seed=1)
    y = op.apply(net.forward(np.ones(3, np.float32)))
    with pytest.raises(ginv.NumericError) as e:
        ginv.recover(net, op, y, algo="gd", lr=1e6, iters=200)
    assert isinstance(e.value, ArithmeticError) and "iteration" in e.value.message


def test_use_after_close_raises(small):
    net, op = small
    y = np.zeros(8, np.float32)
    net2 = ginv.Net.random([3, 20, 30], seed=1)
    net2.close()
    net2.close()  # idempotent
    assert net2.closed and "closed" in repr(net2)
    for call in (lambda: net2.forward(np.zeros(3)), lambda: net2.vjp(np.zeros(3), np.zeros(30)),
                 lambda: net2.k, lambda: net2.params, lambda: net2.save("x.safetensors"),
                 lambda: ginv.recover(net2, op, y), lambda: ginv.sample(net2, op, y, sigma=1),
                 lambda: ginv.decide(net2, np.zeros(30), norm="exact", latent="01")):
        with pytest.raises(ginv.ClosedError):
            call()
    op2 = ginv.Op.identity(30)
    with op2:
        assert op2.m == 30
    with pytest.raises(ginv.ClosedError):
        op2.apply(np.zeros(30))
    with pytest.raises(ginv.ClosedError):
        ginv.recover(net, op2, np.zeros(30))


def test_no_leaks_and_del_frees(small):
    net, op = small
    gc.collect()
    before = ginv.live_bytes()
    for _ in range(3):
        n2 = ginv.Net.random([3, 20, 30], seed=2)
        n2.forward(np.zeros((5, 3)))
        o2 = ginv.Op.gaussian(8, 30)
        ginv.recover(n2, o2, np.zeros(8), restarts=2, iters=5)
        ginv.sample(n2, o2, np.zeros(8), sigma=1, chains=2, burn_in=2, samples=8)
        del n2, o2  # __del__ frees
    gc.collect()
    assert ginv.live_bytes() == before


def test_progress_callback_and_its_exceptions(small):
    net, op = small
    y = op.apply(net.forward(np.ones(3)))
    seen = []
    ginv.sample(net, op, y, sigma=0.5, chains=2, burn_in=10, samples=20,
                progress=lambda w, d, t: seen.append((w, d, t)))
    assert seen and seen[-1] == ("sampling", 30, 30)

    class Stop(Exception):
        pass

    def boom(w, d, t):
        raise Stop(w)
    with pytest.raises(Stop):
        ginv.sample(net, op, y, sigma=0.5, chains=2, burn_in=10, samples=20, progress=boom)
    # the global callback
    got = []
    ginv.set_progress(lambda w, d, t: got.append(d))
    try:
        ginv.csgm(net, op, y, restarts=1, iters=3)
    finally:
        ginv.set_progress(None)
    assert got
    ginv.csgm(net, op, y, restarts=1, iters=3)  # nothing installed: fine


def test_decide_arguments(small):
    net, _ = small
    with pytest.raises(ValueError, match="norm"):
        ginv.decide(net, np.zeros(30), norm="fro", latent="01")
    with pytest.raises(ValueError, match="delta"):
        ginv.decide(net, np.zeros(30), norm=2, latent="01")
    with pytest.raises(ValueError, match="latent"):
        ginv.decide(net, np.zeros(30), norm="exact", latent="bin")
    r = ginv.decide(net, net.forward(np.array([1, 0, 1], np.float32)).astype(np.float64),
                    norm="inf", delta=1e-3, latent="01")
    assert r.answer == "YES" and list(r.witness) == [1, 0, 1]
    r = ginv.decide(net, np.full(30, -1.0), norm="inf", delta=0.5, latent="01")
    assert r.answer == "NO" and not r and r.witness is None


def test_log_callback(tmp_path):
    """A library warning reaches the Python log callback: an IDX file named
    .gz that is not gzip-compressed."""
    path = tmp_path / "img.gz"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 255, 128, 64]))
    got = []
    ginv.set_log(lambda level, msg: got.append((level, msg)))
    try:
        pix, labels = ginv.load_images("idx:%s" % path)
    finally:
        ginv.set_log(None)
    assert pix.shape == (1, 2, 2) and labels is None and pix[0, 0, 1] == 1.0
    assert got and got[0][0] == 1 and "not gzip" in got[0][1]


def test_sample_with_given_starts_and_laplace(small):
    net, op = small
    y = op.apply(net.forward(np.ones(3)))
    s = ginv.sample(net, op, y, sigma=0.5, chains=2, burn_in=5, samples=10,
                    init=np.zeros((2, 3)))
    np.testing.assert_array_equal(s.start, np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="laplace"):
        ginv.sample(net, op, y, sigma=0.5, init=np.zeros((4, 3)), precond="laplace")
    s = ginv.sample(net, op, y, sigma=0.5, chains=2, burn_in=5, samples=10, init="gd",
                    gd_iters=20, precond="laplace", sampler="mala")
    assert np.isfinite(s.precond_eig).all() and np.isfinite(s.gd_loss)


def test_threads_share_a_net_safely(vae):
    """Python threads calling one net at once (its workspace is shared) get
    the numbers of a lone call."""
    import threading
    rng = np.random.default_rng(8)
    zs = [rng.standard_normal((b, vae.k)).astype(np.float32) for b in (1, 7, 3, 12)]
    want = [vae.forward(z) for z in zs]
    errors = []

    def work(i):
        for _ in range(20):
            if not np.array_equal(vae.forward(zs[i]), want[i]):
                errors.append(i)
    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
