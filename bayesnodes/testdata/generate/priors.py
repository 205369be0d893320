#!/usr/bin/env python3
"""Writes conformance vectors for what the first vectors did not cover: a
scale mixture with pi != 0.5, a Normal prior with a non-zero mean, a
Flipout layer's log q, log p and KLs beside its outputs, and the
closed-form KL of a layer under the local reparameterisation, and a
Conv2D under Flipout (signs per example and channel, broadcast over pixels).

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


def linear_case(name, prior, seed, n_in=5, n_out=3, batch=4, flipout=False):
    g = torch.Generator().manual_seed(seed)
    p = posterior_params(g, (n_out, n_in))
    eps = {"weight": torch.randn(n_out, n_in, generator=g), "bias": torch.randn(n_out, generator=g)}
    x = torch.randn(batch, n_in, generator=g)
    if flipout:
        # Rademacher signs per example and channel (Wen et al. 2018).
        eps["sign_in"] = torch.randint(0, 2, (batch, n_in), generator=g) * 2.0 - 1
        eps["sign_out"] = torch.randint(0, 2, (batch, n_out), generator=g) * 2.0 - 1
    log_q = log_p = kl_closed = 0.0
    drawn = {}
    for part in ("weight", "bias"):
        mu, sigma = p[part + "_mu"], torch.nn.functional.softplus(p[part + "_rho"])
        w = mu + sigma * eps[part]
        drawn[part] = w
        log_q += Normal(mu, sigma).log_prob(w).sum().item()
        log_p += log_prior(w, prior).item()
        if prior["pi"] == 1:
            kl_closed += kl_divergence(Normal(mu, sigma), Normal(prior.get("mu", 0.0), prior["sigma1"])).sum().item()
    output = x @ drawn["weight"].T + drawn["bias"]
    if flipout:
        # The mean's output and the bias draw, plus each example's own
        # flip of the weight perturbation (sigma * eps).
        pert = drawn["weight"] - p["weight_mu"]
        output = x @ p["weight_mu"].T + drawn["bias"] + ((x * eps["sign_in"]) @ pert.T) * eps["sign_out"]
    case = {
        "name": name,
        "layer": "linear_flipout" if flipout else "linear",
        "config": {"in_features": n_in, "out_features": n_out, "bias": True},
        "prior": prior,
        "params": {k: tensor(v) for k, v in p.items()},
        "eps": {k: tensor(v) for k, v in eps.items()},
        "input": tensor(x),
        "output": tensor(output),
        "frozen_output": tensor(x @ p["weight_mu"].T + p["bias_mu"]),
        "log_q": log_q,
        "log_p": log_p,
        "kl_mc": log_q - log_p,
    }
    if prior["pi"] == 1:
        case["kl_closed"] = kl_closed
    return case


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
    return {
        "name": name,
        "layer": "linear_lrt",
        "config": {"in_features": n_in, "out_features": n_out, "bias": True},
        "prior": prior,
        "params": {k: tensor(v) for k, v in p.items()},
        "eps": {"output": tensor(eps)},
        "input": tensor(x),
        "output": tensor(mean + sd * eps),
        "frozen_output": tensor(mean),
        "kl_closed": kl.item(),
    }


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
    log_q = log_p = 0.0
    drawn = {}
    for part in ("weight", "bias"):
        mu, sigma = p[part + "_mu"], torch.nn.functional.softplus(p[part + "_rho"])
        drawn[part] = mu + sigma * eps[part]
        log_q += Normal(mu, sigma).log_prob(drawn[part]).sum().item()
        log_p += log_prior(drawn[part], prior).item()
    conv = lambda inp, w, b=None: torch.nn.functional.conv2d(inp, w, b, stride=stride, padding=padding)
    pert = conv(x * eps["sign_in"][:, :, None, None], drawn["weight"] - p["weight_mu"])
    output = conv(x, p["weight_mu"], drawn["bias"]) + pert * eps["sign_out"][:, :, None, None]
    return {
        "name": name,
        "layer": "conv2d",
        "config": {"in_channels": n_in, "out_channels": n_out, "kernel_size": [k, k], "stride": stride,
                   "padding": padding, "dilation": 1, "groups": 1, "bias": True, "estimator": "flipout"},
        "prior": prior,
        "params": {k: tensor(v) for k, v in p.items()},
        "eps": {k: tensor(v) for k, v in eps.items()},
        "input": tensor(x),
        "output": tensor(output),
        "frozen_output": tensor(conv(x, p["weight_mu"], p["bias_mu"])),
        "log_q": log_q,
        "log_p": log_p,
        "kl_mc": log_q - log_p,
    }


def main(out_dir):
    cases = [
        linear_case("linear_mixture_pi", {"pi": 0.25, "sigma1": 1.0, "sigma2": 0.0025}, 1),
        linear_case("linear_normal_mean", {"pi": 1.0, "sigma1": 0.3, "sigma2": 0.0, "mu": 0.2}, 2),
        linear_case("linear_flipout_terms", {"pi": 1.0, "sigma1": 0.5, "sigma2": 0.0}, 3, flipout=True),
        linear_case("linear_flipout_mixture", {"pi": 0.7, "sigma1": 1.0, "sigma2": 0.01}, 4, flipout=True),
        lrt_case("linear_lrt_kl", {"pi": 1.0, "sigma1": 0.4, "sigma2": 0.0, "mu": -0.1}, 5),
        conv2d_flipout_case("conv2d_flipout", {"pi": 0.5, "sigma1": 1.0, "sigma2": 0.0025}, 6),
    ]
    for c in cases:
        with open(os.path.join(out_dir, c["name"] + ".json"), "w") as f:
            json.dump(c, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
