"""The Python API gives bit-identical numbers to the CLI on the same seeds."""
import json
import os

import numpy as np
import pytest

import ginv


def _bits_equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
    assert a.tobytes() == b.tobytes(), "max |diff| %g" % np.max(np.abs(a.astype(float) - b))


def _json_eq(v, j):
    """A double against the CLI's JSON text of it. cJSON prints 15 significant
    digits when reading them back compares equal within its epsilon, so the
    text is not always the exact double: equal to 1e-14 relative (the arrays
    are compared bit for bit through .npy files)."""
    if j is None:
        return np.isnan(v)
    return v == j or abs(v - j) <= 1e-14 * abs(j)


def _simulated_y(net, op, seed, sigma=0.0):
    """y = A G(z0) + noise with z0 from a seed of our own."""
    z0 = np.random.default_rng(seed).standard_normal(net.k).astype(np.float32)
    return ginv.add_noise(op.apply(net.forward(z0)), sigma, seed=seed)


def test_net_random_matches_cli(cli, tmp_path):
    path = tmp_path / "g.safetensors"
    cli("net", "random", "--layers", "6,40,90", "--seed", 5, "--bias", "--bias-sd", 0.1,
        "-o", path)
    with ginv.Net.load(path) as a, ginv.Net.random([6, 40, 90], seed=5, bias=True,
                                                   bias_sd=0.1) as b:
        assert a.layers == b.layers
        _bits_equal(a.params, b.params)


@pytest.mark.parametrize("algo,kink,restarts,iters", [("adam", "zero", 3, 150),
                                                      ("gd", "onesided", 2, 100)])
def test_recover_matches_cli(cli, vae, tmp_path, algo, kink, restarts, iters):
    seed, m = 7, 60
    op = ginv.Op.from_spec("gaussian", vae.n, seed=seed, m=m)  # trial 0's operator
    y = _simulated_y(vae, op, 11, 0.01)
    np.save(tmp_path / "y.npy", y)
    cli("recover", "--model", os.path.join(os.path.dirname(__file__), "..", "..", "models",
                                           "fmnist-vae-k20.safetensors"),
        "--op", "gaussian", "--m", m, "--y", tmp_path / "y.npy", "--algo", algo, "--kink", kink,
        "--restarts", restarts, "--iters", iters, "--lambda", 0.05, "--seed", seed,
        "--save-z", tmp_path / "z.npy", "--save-x", tmp_path / "x.npy",
        "--json", tmp_path / "r.json", "-q")
    r = ginv.recover(vae, op, y, algo=algo, kink=kink, restarts=restarts, iters=iters,
                     lam=0.05, seed=seed)
    _bits_equal(r.z, np.load(tmp_path / "z.npy"))
    _bits_equal(r.x, np.load(tmp_path / "x.npy"))
    t = json.loads((tmp_path / "r.json").read_text())["trials"][0]
    assert _json_eq(r.loss, t["meas_loss"]) and _json_eq(r.f, t["f"])
    assert r.iters == t["iters"] and r.best_restart == t["best_restart"]
    assert r.flips == t["flips"]


def test_recover_signflip_random_net_matches_cli(cli, tmp_path):
    seed, m = 3, 40
    model = tmp_path / "g.safetensors"
    cli("net", "random", "--layers", "5,60,120", "--seed", seed, "-o", model)
    net = ginv.Net.load(model)
    op = ginv.Op.gaussian(m, net.n, seed=seed)  # = --op gaussian, trial 0
    y = _simulated_y(net, op, 4)
    np.save(tmp_path / "y.npy", y)
    cli("recover", "--model", model, "--op", "gaussian", "--m", m, "--y", tmp_path / "y.npy",
        "--algo", "signflip", "--restarts", 4, "--iters", 80, "--seed", seed,
        "--save-z", tmp_path / "z.npy", "--json", tmp_path / "r.json", "-q")
    r = ginv.recover(net, op, y, algo="signflip", restarts=4, iters=80, seed=seed)
    _bits_equal(r.z, np.load(tmp_path / "z.npy"))
    t = json.loads((tmp_path / "r.json").read_text())["trials"][0]
    assert _json_eq(r.loss, t["meas_loss"]) and _json_eq(r.f, t["f"])
    assert r.flips == t["flips"]


def test_sample_matches_cli(cli, vae, tmp_path):
    seed, m = 9, 50
    op = ginv.Op.gaussian(m, vae.n, seed=seed)
    y = _simulated_y(vae, op, 12, 0.05)
    np.save(tmp_path / "y.npy", y)
    model = os.path.join(os.path.dirname(__file__), "..", "..", "models",
                         "fmnist-vae-k20.safetensors")
    cli("sample", "--model", model, "--op", "gaussian", "--m", m, "--y", tmp_path / "y.npy",
        "--sigma", 0.05, "--sampler", "mala", "--step", 2e-5, "--adapt", "off", "--allow-warnings",
        "--chains", 3, "--burn-in", 20,
        "--samples", 40, "--init", "random", "--seed", seed, "--out", tmp_path / "out",
        "--json", tmp_path / "s.json", "-q")
    s = ginv.sample(vae, op, y, sigma=0.05, sampler="mala", step=2e-5, chains=3, burn_in=20,
                    samples=40, init="random", seed=seed)
    _bits_equal(s.samples, np.load(tmp_path / "out" / "samples.npy").transpose(1, 0, 2))  # the file is chain-first
    _bits_equal(s.mean_x, np.load(tmp_path / "out" / "mean_x.npy"))
    doc = json.loads((tmp_path / "s.json").read_text())
    for j, d in enumerate(doc["diagnostics"]):
        for f in ("mean", "sd", "mcse_mean", "rhat", "ess_bulk", "ess_tail"):
            assert _json_eq(s.diagnostics[f][j], d[f]), (j, f, s.diagnostics[f][j], d[f])
    # the standalone diagnostics give the same numbers
    dg = ginv.diagnostics(s.samples)
    for f in ("rhat", "ess_bulk", "ess_tail"):
        np.testing.assert_array_equal(dg[f], s.diagnostics[f])
    assert 0 < s.accept_rate <= 1 and s.accepted.shape == (3,)


def test_nuts_with_adaptation_matches_cli(cli, vae, tmp_path):
    seed, m = 5, 60
    op = ginv.Op.gaussian(m, vae.n, seed=seed)
    y = _simulated_y(vae, op, 3, 0.1)
    np.save(tmp_path / "y.npy", y)
    model = os.path.join(os.path.dirname(__file__), "..", "..", "models",
                         "fmnist-vae-k20.safetensors")
    cli("sample", "--model", model, "--op", "gaussian", "--m", m, "--y", tmp_path / "y.npy",
        "--sigma", 0.1, "--sampler", "nuts", "--chains", 2, "--burn-in", 60, "--samples", 20,
        "--start", "random", "--seed", seed, "--allow-warnings", "--out", tmp_path / "out",
        "--json", tmp_path / "s.json", "-q")
    s = ginv.sample(vae, op, y, sigma=0.1, sampler="nuts", step=None, adapt="on", chains=2,
                    burn_in=60, samples=20, init="random", seed=seed)
    _bits_equal(s.samples, np.load(tmp_path / "out" / "samples.npy").transpose(1, 0, 2))  # the file is chain-first
    assert s.step_size.shape == (2,) and (s.step_size > 0).all()
    assert s.tree_depth.shape == (20, 2) and (s.tree_depth >= 1).all()
    assert (s.n_leapfrog >= 1).all() and ((s.accept_stat >= 0) & (s.accept_stat <= 1)).all()
    with pytest.raises(ValueError, match="adapt"):
        ginv.sample(vae, op, y, sigma=0.1, sampler="nuts", step=None)


def test_decide_matches_cli(cli, tmp_path):
    cnf, model = tmp_path / "f.cnf", tmp_path / "sat.safetensors"
    cli("reduce", "random-sat", "--n", 8, "--ratio", 3.0, "--k", 3, "--seed", 2, "-o", cnf)
    cli("reduce", "sat", cnf, "--latent", "pm1", "-o", model)
    p = cli("decide", "--model", model, "--json", "-", "-q", check=False)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    net = ginv.Net.load(model)
    assert net.problem is not None and net.problem["latent"] == "pm1"
    r = ginv.decide(net)
    assert r.answer == doc["answer"] and r.method == doc["method"]
    assert r.nodes == doc["nodes"]
    if r.answer == "YES":
        assert all(_json_eq(a, b) for a, b in zip(r.witness, doc["witness"]))
        assert _json_eq(r.distance, doc["distance"])
    cert = doc["certificate"]
    for key in ("kind", "note", "visited", "pruned_latents", "pruned_subtrees"):
        if key in cert:
            assert r.certificate[key] == cert[key], key
    assert [p["prefix"] for p in r.certificate.get("pruned", [])] == \
        [p["prefix"] for p in cert.get("pruned", [])]
