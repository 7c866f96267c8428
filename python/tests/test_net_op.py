"""Nets and operators: forward/VJP against finite differences, operators
against their dense matrices, conversions without copies."""
import numpy as np
import pytest

import ginv
from ginv import _core


def test_shapes_and_batching(vae):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, vae.k)).astype(np.float32)
    x = vae.forward(z)
    assert x.shape == (5, vae.n) and x.dtype == np.float32
    # a row alone gives the same numbers as in the batch; 1-D in, 1-D out
    assert vae.forward(z[2]).shape == (vae.n,)
    np.testing.assert_allclose(vae.forward(z[2]), x[2], rtol=1e-5, atol=1e-7)
    # float64, integer and Fortran-ordered inputs are converted
    np.testing.assert_array_equal(vae.forward(z.astype(np.float64)), x)
    np.testing.assert_array_equal(vae.forward(np.asfortranarray(z)), x)
    assert vae.forward(np.zeros((3, vae.k), np.int64)).shape == (3, vae.n)
    assert vae.forward(np.empty((0, vae.k), np.float32)).shape == (0, vae.n)
    # a larger batch after a smaller one (the workspace grows)
    assert vae.forward(np.zeros((40, vae.k), np.float32)).shape == (40, vae.n)


def test_no_copy_when_layout_allows():
    a = np.ones((4, 3), np.float32)
    assert _core._array(a, "a") is a
    b = _core._array(a[:, :2], "a")          # a non-contiguous view: copied
    assert b.flags.c_contiguous and not np.shares_memory(a, b)
    assert _core._array(a.astype(">f4"), "a").dtype == np.dtype("=f4")


def test_vjp_against_finite_differences(vae):
    """u^T J v by the VJP against a central difference of the float32 forward
    along v. The VAE generator is smooth (softplus, sigmoid); with h = 1e-2
    the truncation error is O(h^2 |G'''|) and the rounding error about
    1e-7 |x| / h, both far below the 1e-3 relative tolerance."""
    rng = np.random.default_rng(1)
    z = rng.standard_normal((3, vae.k)).astype(np.float32)
    u = rng.standard_normal((3, vae.n)).astype(np.float32)
    v = rng.standard_normal((3, vae.k))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    dz = vae.vjp(z, u)
    h = 1e-2
    for b in range(3):
        xp = vae.forward((z[b] + h * v[b]).astype(np.float32)).astype(np.float64)
        xm = vae.forward((z[b] - h * v[b]).astype(np.float32)).astype(np.float64)
        fd = u[b] @ (xp - xm) / (2 * h)
        an = dz[b].astype(np.float64) @ v[b]
        assert abs(fd - an) <= 1e-3 * max(1.0, abs(an)), (b, fd, an)


def test_relu_net_double_path_and_jacobian():
    """A ReLU net: the double-precision forward (exact on a linear piece)
    gives finite differences that match the float32 VJP to float32 rounding."""
    net = ginv.Net.random([4, 30, 50], seed=2)
    rng = np.random.default_rng(3)
    z = rng.standard_normal(4)
    x32, x64 = net.forward(z), net.forward64(z)
    np.testing.assert_allclose(x32, x64, rtol=1e-5, atol=1e-6)
    J = net.jacobian(z)
    h = 1e-7
    for i in range(4):
        e = np.zeros(4)
        e[i] = h
        fd = (net.forward64(z + e) - net.forward64(z - e)) / (2 * h)
        np.testing.assert_allclose(J[:, i], fd, rtol=1e-4, atol=1e-5)
    u = rng.standard_normal(50)
    np.testing.assert_allclose(net.vjp(z, u), J.T @ u.astype(np.float32), rtol=1e-4, atol=1e-5)
    assert net.forward64(np.stack([z, -z])).shape == (2, 50)


def test_operators_against_dense_matrices():
    n = 36
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, n)).astype(np.float32)
    ops = [ginv.Op.gaussian(10, n, seed=3), ginv.Op.gaussian_unit(10, n, seed=3),
           ginv.Op.identity(n), ginv.Op.subsample(n, [3, 0, 7]),
           ginv.Op.subsample_random(n, 5, seed=2), ginv.Op.downsample(6, 6, 2),
           ginv.Op.inpaint_box(6, 6), ginv.Op.matrix(rng.standard_normal((4, n))),
           ginv.Op.from_spec("downsample:3", n), ginv.Op.from_spec("inpaint-box:1,1,2,2", n)]
    for op in ops:
        A = op.to_dense()
        assert A.shape == (op.m, op.n)
        np.testing.assert_allclose(op.apply(x), x @ A.T, rtol=1e-5, atol=1e-5)
        y = rng.standard_normal(op.m).astype(np.float32)
        # <A x, y> == <x, A^T y>
        assert abs(op.apply(x[0]) @ y - x[0] @ op.adjoint(y)) < 1e-3 * (1 + np.abs(y).sum())
        op.close()
    # the unit Gaussian is sqrt(m) times the N(0, 1/m) one, from the same stream
    g, gu = ginv.Op.gaussian(10, n, seed=3), ginv.Op.gaussian_unit(10, n, seed=3)
    np.testing.assert_allclose(gu.to_dense(), np.sqrt(10) * g.to_dense(), rtol=1e-5)
    # from_spec("gaussian") builds trial t's operator: gaussian(seed, index=t)
    np.testing.assert_array_equal(ginv.Op.from_spec("gaussian", n, seed=3, trial=2, m=10)
                                  .to_dense(), ginv.Op.gaussian(10, n, 3, 2).to_dense())
    assert ginv.Op.from_spec("subsample", n, m=4).m == 4


def test_csgm_recovers_an_image(vae):
    rng = np.random.default_rng(5)
    z0 = rng.standard_normal((2, vae.k)).astype(np.float32)
    x0 = vae.forward(z0)
    op = ginv.Op.gaussian_unit(200, vae.n, seed=1)
    seen = []
    z, x, loss = ginv.csgm(vae, op, op.apply(x0), restarts=3, iters=300, lam=0.01,
                           progress=lambda what, d, t: seen.append((what, d, t)))
    assert z.shape == (2, vae.k) and x.shape == (2, vae.n) and loss.shape == (2,)
    assert np.mean((x - x0) ** 2) < 5e-3
    assert seen and seen[-1][1] == seen[-1][2] == 2


def test_recover_result_and_restarts(vae):
    op = ginv.Op.gaussian(150, vae.n, seed=2)
    z0 = np.random.default_rng(6).standard_normal(vae.k).astype(np.float32)
    y = op.apply(vae.forward(z0))
    r = ginv.recover(vae, op, y, restarts=4, iters=300, seed=1)
    z, x, loss = r
    assert z.shape == (vae.k,) and x.shape == (vae.n,)
    assert r.f_restarts.shape == (4,) and r.z_restarts.shape == (4, vae.k)
    assert r.f == r.f_restarts.min() or abs(r.f - r.f_restarts.min()) < 1e-6
    np.testing.assert_allclose(x, vae.forward(z), rtol=1e-5, atol=1e-6)
    # given starts: the same as the seeded ones when they are the same numbers
    r2 = ginv.recover(vae, op, y, z_init=r.z_restarts * 0 + z0, iters=5)
    assert r2.z_restarts.shape == (4, vae.k)


def test_load_images():
    try:
        pix, labels = ginv.load_images("fashion-mnist:test[0:3]")
    except ginv.FileError:
        pytest.skip("Fashion-MNIST is not installed")
    assert pix.shape == (3, 28, 28) and pix.dtype == np.float32
    assert labels.shape == (3,) and 0 <= pix.min() and pix.max() <= 1
