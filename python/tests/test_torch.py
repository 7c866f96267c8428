"""PyTorch interop: a torch.autograd.Function over ginv's forward and VJP,
checked with torch.autograd.gradcheck. Skipped when torch is absent."""
import numpy as np
import pytest

import ginv

torch = pytest.importorskip("torch")


class GinvG(torch.autograd.Function):
    """x = G(z) by libginv; backward is ginv's VJP, J_G(z)^T dx. The net is
    float32: inputs are converted to float32, results come back in the
    input's dtype. `double`: the forward pass in double precision
    (Net.forward64; dense/relu/identity nets) -- the VJP is always float32."""

    @staticmethod
    def forward(ctx, z, net, double=False):
        ctx.net = net
        ctx.save_for_backward(z)
        zn = z.detach().cpu().numpy()
        x = net.forward64(zn) if double else net.forward(zn)
        return torch.from_numpy(np.asarray(x)).to(z.dtype)

    @staticmethod
    def backward(ctx, dx):
        (z,) = ctx.saved_tensors
        dz = ctx.net.vjp(z.detach().cpu().numpy(), dx.detach().cpu().numpy())
        return torch.from_numpy(dz).to(z.dtype), None, None


def test_gradcheck_relu_net_double_forward():
    """Double-precision forward: the finite differences of gradcheck (eps
    1e-6, central) are exact on a ReLU net's linear piece up to ~1e-10, so
    the only error left is the float32 VJP's: relative ~1e-6 of |J| sums
    over at most 40 products of O(1) terms. atol = rtol = 1e-4 leaves two
    orders of margin and still catches a wrong or transposed Jacobian
    (entries O(0.1..1))."""
    net = ginv.Net.random([5, 40, 30], seed=3)
    z = torch.randn(3, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    z.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: GinvG.apply(t, net, True), (z,),
                                    eps=1e-6, atol=1e-4, rtol=1e-4)


def test_gradcheck_vae_float32_forward(vae):
    """The VAE generator (softplus, sigmoid: no double path) in float32 both
    ways. gradcheck's central difference with eps = 1e-2 has truncation error
    O(eps^2 |G'''|) ~ 1e-5 and rounding error ~ 2^-24 |x| / eps ~ 1e-6 (x in
    [0, 1]); the VJP's float32 error is ~1e-6. atol = 2e-3, rtol = 1e-2
    bounds all of them with margin; a wrong Jacobian is off by O(0.1)."""
    z = torch.randn(2, vae.k, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    z.requires_grad_(True)
    # check a random slice of outputs to keep the test fast: 784 x 40 Jacobian entries
    assert torch.autograd.gradcheck(lambda t: GinvG.apply(t, vae)[:, ::7], (z,), eps=1e-2,
                                    atol=2e-3, rtol=1e-2)


def test_torch_optimiser_through_ginv(vae):
    """Adam in torch on ||A G(z) - y||^2 with G from ginv recovers a latent."""
    op = ginv.Op.gaussian(200, vae.n, seed=1)
    A = torch.from_numpy(op.to_dense())
    z0 = torch.randn(vae.k, generator=torch.Generator().manual_seed(2))
    y = A @ torch.from_numpy(vae.forward(z0.numpy()))
    z = torch.zeros(1, vae.k, requires_grad=True)
    opt = torch.optim.Adam([z], lr=0.05)
    for _ in range(300):
        opt.zero_grad()
        loss = 0.5 * ((GinvG.apply(z, vae)[0] @ A.T - y) ** 2).sum()
        loss.backward()
        opt.step()
    x0 = vae.forward(z0.numpy())
    assert np.mean((vae.forward(z.detach().numpy()[0]) - x0) ** 2) < 5e-3
