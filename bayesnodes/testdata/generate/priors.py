#!/usr/bin/env python3
"""Writes conformance vectors for what the first vectors did not cover: a
scale mixture with pi != 0.5, a Normal prior with a non-zero mean, a
Flipout layer's log q, log p and KLs beside its outputs, and the
closed-form KL of a layer under the local reparameterisation, and a
Conv2D under Flipout (signs per example and channel, broadcast over pixels),
a peephole LSTM, a Conv2D under the local reparameterisation, and sparse
variational dropout layers (Molchanov et al. 2017): Linear and Conv2D under
weight sampling, Flipout and the local reparameterisation.

Everything is computed in float64 by torch.distributions, independently of
the Go code: the weights drawn as mu + softplus(rho) * eps, the sampled and
mean-weights outputs of a Bayesian linear layer (x @ w.T + b), log q and
log p of the draw summed over weights and biases, their difference (the
Monte-Carlo KL) and, for the Normal prior, the closed-form KL.

Usage (Debian: apt-get install python3-torch):

    python3 bayesnodes/testdata/generate/priors.py bayesnodes/testdata/golden
"""
import json
import os
import sys

import torch
from torch.distributions import Normal, kl_divergence

torch.set_default_dtype(torch.float64)


def tensor(t):
    return {"shape": list(t.shape), "data": t.flatten().tolist()}


def posterior_params(g, weight_shape):
    """Draws a layer's weight and bias mu and rho (sigma about 0.05)."""
    return {
        "weight_mu": 0.3 * torch.randn(*weight_shape, generator=g),
        "weight_rho": -3 + 0.5 * torch.randn(*weight_shape, generator=g),
        "bias_mu": 0.3 * torch.randn(weight_shape[0], generator=g),
        "bias_rho": -3 + 0.5 * torch.randn(weight_shape[0], generator=g),
    }


def log_prior(w, prior):
    if prior["pi"] == 1:
        return Normal(prior.get("mu", 0.0), prior["sigma1"]).log_prob(w).sum()
    pi = torch.tensor(prior["pi"])
    a = torch.log(pi) + Normal(0.0, prior["sigma1"]).log_prob(w)
    b = torch.log1p(-pi) + Normal(0.0, prior["sigma2"]).log_prob(w)
    return torch.logsumexp(torch.stack([a, b]), dim=0).sum()


def gaussian_terms(p, eps, prior, parts):
    """Draws mu + softplus(rho) * eps for each part; returns the draws and
    log q, log p, their difference (the Monte-Carlo KL) and, for a Normal
    prior, the closed-form KL, each summed over the parts."""
    drawn, log_q, log_p, kl_closed = {}, 0.0, 0.0, 0.0
    for part in parts:
        mu, sigma = p[part + "_mu"], torch.nn.functional.softplus(p[part + "_rho"])
        drawn[part] = mu + sigma * eps[part]
        log_q += Normal(mu, sigma).log_prob(drawn[part]).sum().item()
        log_p += log_prior(drawn[part], prior).item()
        if prior["pi"] == 1:
            kl_closed += kl_divergence(Normal(mu, sigma), Normal(prior.get("mu", 0.0), prior["sigma1"])).sum().item()
    terms = {"log_q": log_q, "log_p": log_p, "kl_mc": log_q - log_p}
    if prior["pi"] == 1:
        terms["kl_closed"] = kl_closed
    return drawn, terms


def record(name, layer, config, prior, p, eps, x, output, frozen, terms):
    """A vector in the conformance test's format."""
    case = {
        "name": name,
        "layer": layer,
        "config": config,
        "prior": prior,
        "params": {k: tensor(v) for k, v in p.items()},
        "eps": {k: tensor(v) for k, v in eps.items()},
        "input": tensor(x),
        "output": tensor(output),
        "frozen_output": tensor(frozen),
    }
    case.update(terms)
    return case


def linear_case(name, prior, seed, n_in=5, n_out=3, batch=4, flipout=False):
    g = torch.Generator().manual_seed(seed)
    p = posterior_params(g, (n_out, n_in))
    eps = {"weight": torch.randn(n_out, n_in, generator=g), "bias": torch.randn(n_out, generator=g)}
    x = torch.randn(batch, n_in, generator=g)
    if flipout:
        # Rademacher signs per example and channel (Wen et al. 2018).
        eps["sign_in"] = torch.randint(0, 2, (batch, n_in), generator=g) * 2.0 - 1
        eps["sign_out"] = torch.randint(0, 2, (batch, n_out), generator=g) * 2.0 - 1
    drawn, terms = gaussian_terms(p, eps, prior, ("weight", "bias"))
    output = x @ drawn["weight"].T + drawn["bias"]
    if flipout:
        # The mean's output and the bias draw, plus each example's own
        # flip of the weight perturbation (sigma * eps).
        pert = drawn["weight"] - p["weight_mu"]
        output = x @ p["weight_mu"].T + drawn["bias"] + ((x * eps["sign_in"]) @ pert.T) * eps["sign_out"]
    config = {"in_features": n_in, "out_features": n_out, "bias": True}
    return record(name, "linear_flipout" if flipout else "linear", config, prior, p, eps, x, output,
                  x @ p["weight_mu"].T + p["bias_mu"], terms)


def lrt_case(name, prior, seed, n_in=5, n_out=3, batch=4):
    """The local reparameterisation (Kingma et al. 2015): each output drawn
    from N(x mu^T + b_mu, x^2 (sigma^2)^T + sigma_b^2); eps are the output
    draws. No weight is drawn, so the KL is the closed form's."""
    g = torch.Generator().manual_seed(seed)
    p = posterior_params(g, (n_out, n_in))
    eps = torch.randn(batch, n_out, generator=g)
    x = torch.randn(batch, n_in, generator=g)
    sw, sb = torch.nn.functional.softplus(p["weight_rho"]), torch.nn.functional.softplus(p["bias_rho"])
    mean = x @ p["weight_mu"].T + p["bias_mu"]
    sd = torch.sqrt((x * x) @ (sw * sw).T + sb * sb)
    prior_dist = Normal(prior.get("mu", 0.0), prior["sigma1"])
    kl = kl_divergence(Normal(p["weight_mu"], sw), prior_dist).sum() + kl_divergence(Normal(p["bias_mu"], sb), prior_dist).sum()
    config = {"in_features": n_in, "out_features": n_out, "bias": True}
    return record(name, "linear_lrt", config, prior, p, {"output": eps}, x, mean + sd * eps, mean, {"kl_closed": kl.item()})


def conv2d_flipout_case(name, prior, seed, n_in=2, n_out=4, k=3, batch=2, size=7, stride=2, padding=1):
    g = torch.Generator().manual_seed(seed)
    shape = (n_out, n_in, k, k)
    p = posterior_params(g, shape)
    eps = {
        "weight": torch.randn(*shape, generator=g),
        "bias": torch.randn(n_out, generator=g),
        "sign_in": torch.randint(0, 2, (batch, n_in), generator=g) * 2.0 - 1,
        "sign_out": torch.randint(0, 2, (batch, n_out), generator=g) * 2.0 - 1,
    }
    x = torch.randn(batch, n_in, size, size, generator=g)
    drawn, terms = gaussian_terms(p, eps, prior, ("weight", "bias"))
    conv = lambda inp, w, b=None: torch.nn.functional.conv2d(inp, w, b, stride=stride, padding=padding)
    pert = conv(x * eps["sign_in"][:, :, None, None], drawn["weight"] - p["weight_mu"])
    output = conv(x, p["weight_mu"], drawn["bias"]) + pert * eps["sign_out"][:, :, None, None]
    config = {"in_channels": n_in, "out_channels": n_out, "kernel_size": [k, k], "stride": stride,
              "padding": padding, "dilation": 1, "groups": 1, "bias": True, "estimator": "flipout"}
    return record(name, "conv2d", config, prior, p, eps, x, output, conv(x, p["weight_mu"], p["bias_mu"]), terms)


def lstm_peephole_case(name, prior, seed, n_in=3, hidden=4, batch=2, steps=5):
    """BayesianLSTM(peephole=True) as bayesnodes.Peephole documents it, in
    the layout x @ W_ih (gate blocks i, f, g, o): [i f . o] =
    sigmoid(x W_ih + c_{t-1} U + b), g = sigmoid(x W_ih + b) in its block,
    c_t = f c_{t-1} + i g, h_t = tanh(o c_t), from c_0 = 0; the weights
    drawn once for the sequence. The frozen output uses the means in the
    same equations (tanh for h, as the layer documents)."""
    g = torch.Generator().manual_seed(seed)
    shapes = {"weight_ih": (n_in, 4 * hidden), "weight_hh": (hidden, 4 * hidden), "bias": (4 * hidden,)}
    p = {}
    for part, shape in shapes.items():
        p[part + "_mu"] = 0.4 * torch.randn(*shape, generator=g)
        p[part + "_rho"] = -3 + 0.5 * torch.randn(*shape, generator=g)
    eps = {part: torch.randn(*shape, generator=g) for part, shape in shapes.items()}
    x = torch.randn(batch, steps, n_in, generator=g)
    drawn, terms = gaussian_terms(p, eps, prior, shapes)
    H = hidden

    def run(w_ih, w_hh, b):
        c = torch.zeros(batch, H)
        hs = []
        for t in range(steps):
            xw = x[:, t] @ w_ih + b
            pre = xw + c @ w_hh
            i, f, o = torch.sigmoid(pre[:, :H]), torch.sigmoid(pre[:, H:2 * H]), torch.sigmoid(pre[:, 3 * H:])
            cand = torch.sigmoid(xw[:, 2 * H:3 * H])
            c = f * c + i * cand
            hs.append(torch.tanh(o * c))
        return torch.stack(hs, dim=1)

    config = {"in_features": n_in, "hidden": hidden, "gate_order": "i,f,g,o", "peephole": True,
              "layout": "weight_ih[in,4H] weight_hh[H,4H] x@W"}
    return record(name, "lstm", config, prior, p, eps, x, run(drawn["weight_ih"], drawn["weight_hh"], drawn["bias"]),
                  run(p["weight_ih_mu"], p["weight_hh_mu"], p["bias_mu"]), terms)


# The log-uniform KL approximation (Molchanov et al. 2017, eq. 14).
K1, K2, K3 = 0.63576, 1.87320, 1.48695
LOG_ALPHA_CLIP = (-10.0, 10.0)


def log_uniform_kl(theta, log_sigma2):
    """sum -(k1 sigmoid(k2 + k3 la) - log1p(1/alpha)/2 - k1) at log alpha =
    log sigma^2 - log theta^2 clipped to [-10, 10]."""
    la = torch.clamp(log_sigma2 - torch.log(theta * theta), *LOG_ALPHA_CLIP)
    return (K1 - K1 * torch.sigmoid(K2 + K3 * la) + 0.5 * torch.log1p(torch.exp(-la))).sum()


def sparse_theta(g, shape):
    """theta of magnitude 0.05 to 1.05 and log sigma^2 with log alpha spread
    over [-14, 14], so that some weights lie in each clipped region; none
    within 0.5 of a clip bound, where float32 rounding could cross it."""
    theta = (0.05 + torch.rand(*shape, generator=g)) * (torch.randint(0, 2, shape, generator=g) * 2.0 - 1)
    la = -14 + 28 * torch.rand(*shape, generator=g)
    near = (la.abs() - 10).abs() < 0.5
    la[near] += 1.0
    return theta, la + torch.log(theta * theta)


def local_sample(mean, var, eps):
    return mean + torch.sqrt(var) * eps


def sparse_case(name, prior, seed, estimator, layer, config, shape, x_shape, lin):
    """A layer y = lin(x, w) + b whose weight [out, in, ...] has the sparse
    VD posterior N(theta, sigma^2), parameters theta and log sigma^2, and
    the log-uniform prior; the bias a Gaussian posterior with prior (a
    Normal). Under weight sampling w = theta + exp(log sigma^2 / 2) eps;
    under Flipout y = lin(x, theta) + lin(x s_in, sigma eps) s_out + b with
    signs per example and channel; under the local reparameterisation each
    output is drawn from N(lin(x, theta) + b_mu, lin(x^2, sigma^2) +
    sigma_b^2). kl_closed is the layer's KL: the log-uniform approximation
    of the weight plus the bias's closed form."""
    g = torch.Generator().manual_seed(seed)
    n_out, n_in, batch = shape[0], shape[1], x_shape[0]
    theta, ls2 = sparse_theta(g, shape)
    p = {"weight_theta": theta, "weight_log_sigma2": ls2,
         "bias_mu": 0.3 * torch.randn(n_out, generator=g), "bias_rho": -3 + 0.5 * torch.randn(n_out, generator=g)}
    x = torch.randn(*x_shape, generator=g)
    sb = torch.nn.functional.softplus(p["bias_rho"])
    kl = log_uniform_kl(theta, ls2) + kl_divergence(Normal(p["bias_mu"], sb), Normal(prior.get("mu", 0.0), prior["sigma1"])).sum()
    mean = lin(x, theta)
    # A per-channel vector ([C] or [batch, C]) broadcast over a conv's pixels.
    chan = lambda v: v.reshape(*v.shape, *[1] * (mean.dim() - 2))
    if estimator == "local_reparameterization":
        eps = {"output": torch.randn(*mean.shape, generator=g)}
        output = local_sample(mean + chan(p["bias_mu"]), lin(x * x, torch.exp(ls2)) + chan(sb * sb), eps["output"])
    else:
        eps = {"weight": torch.randn(*shape, generator=g), "bias": torch.randn(n_out, generator=g)}
        delta = torch.exp(ls2 / 2) * eps["weight"]
        if estimator == "flipout":
            eps["sign_in"] = torch.randint(0, 2, (batch, n_in), generator=g) * 2.0 - 1
            eps["sign_out"] = torch.randint(0, 2, (batch, n_out), generator=g) * 2.0 - 1
            output = mean + chan(p["bias_mu"] + sb * eps["bias"]) + lin(x * chan(eps["sign_in"]), delta) * chan(eps["sign_out"])
        else:
            output = lin(x, theta + delta) + chan(p["bias_mu"]) + chan(sb * eps["bias"])
    config = dict(config, bias=True, sparse_vd=True, estimator=estimator)
    return record(name, layer, config, prior, p, eps, x, output, mean + chan(p["bias_mu"]), {"kl_closed": kl.item()})


def sparse_linear_case(name, prior, seed, estimator, n_in=6, n_out=4, batch=3):
    config = {"in_features": n_in, "out_features": n_out}
    return sparse_case(name, prior, seed, estimator, "linear", config, (n_out, n_in), (batch, n_in), lambda x, w: x @ w.T)


def sparse_conv2d_case(name, prior, seed, estimator, n_in=2, n_out=3, k=3, batch=2, size=6, stride=1, padding=1, dilation=2):
    config = {"in_channels": n_in, "out_channels": n_out, "kernel_size": [k, k], "stride": stride,
              "padding": padding, "dilation": dilation, "groups": 1}
    conv = lambda x, w: torch.nn.functional.conv2d(x, w, stride=stride, padding=padding, dilation=dilation)
    return sparse_case(name, prior, seed, estimator, "conv2d", config, (n_out, n_in, k, k), (batch, n_in, size, size), conv)


def conv2d_local_case(name, prior, seed, n_in=2, n_out=3, k=3, batch=2, size=6, stride=1, padding=1, dilation=2):
    """Conv2D under the local reparameterisation: pre-activations drawn from
    N(conv2d(x, mu) + b_mu, conv2d(x^2, sigma^2) + sigma_b^2), one eps per
    output element."""
    g = torch.Generator().manual_seed(seed)
    shape = (n_out, n_in, k, k)
    p = posterior_params(g, shape)
    sw, sb = torch.nn.functional.softplus(p["weight_rho"]), torch.nn.functional.softplus(p["bias_rho"])
    x = torch.randn(batch, n_in, size, size, generator=g)
    conv = lambda inp, w: torch.nn.functional.conv2d(inp, w, stride=stride, padding=padding, dilation=dilation)
    mean = conv(x, p["weight_mu"]) + p["bias_mu"][:, None, None]
    var = conv(x * x, sw * sw) + (sb * sb)[:, None, None]
    eps = torch.randn(*mean.shape, generator=g)
    prior_dist = Normal(prior.get("mu", 0.0), prior["sigma1"])
    kl = kl_divergence(Normal(p["weight_mu"], sw), prior_dist).sum() + kl_divergence(Normal(p["bias_mu"], sb), prior_dist).sum()
    config = {"in_channels": n_in, "out_channels": n_out, "kernel_size": [k, k], "stride": stride,
              "padding": padding, "dilation": dilation, "groups": 1, "bias": True, "estimator": "local_reparameterization"}
    return record(name, "conv2d", config, prior, p, {"output": eps}, x, local_sample(mean, var, eps), mean,
                  {"kl_closed": kl.item()})


def main(out_dir):
    cases = [
        linear_case("linear_mixture_pi", {"pi": 0.25, "sigma1": 1.0, "sigma2": 0.0025}, 1),
        linear_case("linear_normal_mean", {"pi": 1.0, "sigma1": 0.3, "sigma2": 0.0, "mu": 0.2}, 2),
        linear_case("linear_flipout_terms", {"pi": 1.0, "sigma1": 0.5, "sigma2": 0.0}, 3, flipout=True),
        linear_case("linear_flipout_mixture", {"pi": 0.7, "sigma1": 1.0, "sigma2": 0.01}, 4, flipout=True),
        lrt_case("linear_lrt_kl", {"pi": 1.0, "sigma1": 0.4, "sigma2": 0.0, "mu": -0.1}, 5),
        conv2d_flipout_case("conv2d_flipout", {"pi": 0.5, "sigma1": 1.0, "sigma2": 0.0025}, 6),
        lstm_peephole_case("lstm_peephole", {"pi": 1.0, "sigma1": 0.5, "sigma2": 0.0, "mu": 0.1}, 7),
        lstm_peephole_case("lstm_peephole_mixture", {"pi": 0.3, "sigma1": 1.0, "sigma2": 0.01}, 8),
        sparse_linear_case("linear_sparse", {"pi": 1.0, "sigma1": 1.0, "sigma2": 0.0}, 9, "reparameterization"),
        sparse_linear_case("linear_sparse_lrt", {"pi": 1.0, "sigma1": 0.5, "sigma2": 0.0, "mu": 0.1}, 10, "local_reparameterization"),
        conv2d_local_case("conv2d_lrt", {"pi": 1.0, "sigma1": 0.4, "sigma2": 0.0, "mu": -0.1}, 11),
        sparse_conv2d_case("conv2d_sparse_lrt", {"pi": 1.0, "sigma1": 1.0, "sigma2": 0.0}, 12, "local_reparameterization"),
        sparse_linear_case("linear_sparse_flipout", {"pi": 1.0, "sigma1": 0.7, "sigma2": 0.0, "mu": -0.05}, 13, "flipout"),
        sparse_conv2d_case("conv2d_sparse", {"pi": 1.0, "sigma1": 1.0, "sigma2": 0.0}, 14, "reparameterization"),
        sparse_conv2d_case("conv2d_sparse_flipout", {"pi": 1.0, "sigma1": 0.5, "sigma2": 0.0, "mu": 0.1}, 15, "flipout"),
    ]
    for c in cases:
        with open(os.path.join(out_dir, c["name"] + ".json"), "w") as f:
            json.dump(c, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
