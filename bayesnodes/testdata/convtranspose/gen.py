#!/usr/bin/python3
"""Writes the transposed-convolution reference vectors beside this script.

Each case samples a Bayesian ConvTranspose{1,2,3}d's weights and bias,
w = mu + softplus(rho) * eps, in float64 with a fixed seed, and records
what PyTorch's torch.nn.functional.conv_transpose{1,2,3}d gives with them
(output) and with the means (frozen_output), beside log q, log p and the
KL of the draw under a Gaussian prior (torch.distributions). The layout is
that of ../golden (params, eps, input, output, ...): weight [in,
out/groups, kernel...] as in PyTorch. Run with Debian's python3-torch (/usr/bin/python3):

    /usr/bin/python3 gen.py
"""
import json
import os

import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

torch.set_default_dtype(torch.float64)

CASES = [
    # name, in, out, kernel, stride, padding, output_padding, dilation, groups, bias, input spatial, batch
    ("convt1d_stride_outpad", 3, 4, [3], [2], [1], [1], [1], 1, True, [5], 2),
    ("convt2d_grouped_dilated", 4, 6, [3, 2], [2, 1], [1, 0], [1, 0], [1, 2], 2, True, [3, 4], 2),
    ("convt2d_outpad_below_dilation", 2, 3, [2, 2], [1, 1], [0, 1], [1, 0], [2, 1], 1, False, [3, 3], 1),
    ("convt3d_grouped", 2, 4, [2, 3, 2], [2, 1, 2], [0, 1, 1], [1, 0, 0], [1, 1, 2], 2, True, [3, 3, 2], 2),
]
PRIOR_SIGMA = 0.5


def tensor(t):
    return {"shape": list(t.shape), "data": t.flatten().tolist()}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    gen = torch.Generator().manual_seed(20261204)
    conv = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
    for name, cin, cout, k, s, p, op, d, g, bias, size, batch in CASES:
        wshape = [cin, cout // g] + k
        mu = {"weight": 0.3 * torch.randn(wshape, generator=gen)}
        rho = {"weight": -2 + 0.5 * torch.randn(wshape, generator=gen)}
        eps = {"weight": torch.randn(wshape, generator=gen)}
        if bias:
            mu["bias"] = 0.3 * torch.randn([cout], generator=gen)
            rho["bias"] = -2 + 0.5 * torch.randn([cout], generator=gen)
            eps["bias"] = torch.randn([cout], generator=gen)
        x = torch.randn([batch, cin] + size, generator=gen)
        sigma = {n: F.softplus(r) for n, r in rho.items()}
        w = {n: mu[n] + sigma[n] * eps[n] for n in mu}
        f = conv[len(k)]
        args = dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d)
        out = f(x, w["weight"], w.get("bias"), **args)
        frozen = f(x, mu["weight"], mu.get("bias"), **args)
        prior = Normal(0.0, PRIOR_SIGMA)
        log_q = sum(Normal(mu[n], sigma[n]).log_prob(w[n]).sum() for n in mu)
        log_p = sum(prior.log_prob(w[n]).sum() for n in mu)
        kl = sum(kl_divergence(Normal(mu[n], sigma[n]), prior).sum() for n in mu)
        case = {
            "name": name,
            "layer": "conv_transpose%dd" % len(k),
            "config": {"in_channels": cin, "out_channels": cout, "kernel_size": k, "stride": s, "padding": p,
                       "output_padding": op, "dilation": d, "groups": g, "bias": bias,
                       "reference": "torch.nn.functional.conv_transpose%dd, torch %s, float64" % (len(k), torch.__version__)},
            "prior": {"pi": 1.0, "sigma1": PRIOR_SIGMA, "sigma2": 0.0},
            "params": {"%s_%s" % (n, part): tensor(v[n]) for n in mu for part, v in (("mu", mu), ("rho", rho))},
            "eps": {n: tensor(e) for n, e in eps.items()},
            "input": tensor(x),
            "output": tensor(out),
            "frozen_output": tensor(frozen),
            "log_q": log_q.item(),
            "log_p": log_p.item(),
            "kl_mc": (log_q - log_p).item(),
            "kl_closed": kl.item(),
        }
        with open(os.path.join(here, name + ".json"), "w") as fh:
            json.dump(case, fh, indent=1)
            fh.write("\n")


if __name__ == "__main__":
    main()
