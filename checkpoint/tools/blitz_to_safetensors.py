#!/usr/bin/env python3
"""Write a BLiTZ (or any PyTorch) model's state dict as a safetensors file
that gorgonia-bnn's checkpoint.Import reads. Needs numpy and torch only.

From Python, after training:

    from blitz_to_safetensors import save_state_dict
    save_state_dict(model.state_dict(), "model.safetensors")

or from a state dict saved with torch.save(model.state_dict(), "model.pt"):

    python3 blitz_to_safetensors.py model.pt model.safetensors

Tensors keep their state-dict names (blinear1.weight_mu, blinear1.weight_rho,
blinear1.bias_mu, ...) and layouts (a Linear weight is [out, in]). BLiTZ
registers each mu and rho twice (as weight_mu and weight_sampler.mu, one
storage): only the first name is written.
"""
import json
import os
import struct
import sys

import numpy as np

# safetensors dtype names by numpy (kind, itemsize), whatever the byte order.
DTYPES = {
    ("f", 8): "F64", ("f", 4): "F32", ("f", 2): "F16",
    ("i", 8): "I64", ("i", 4): "I32", ("i", 2): "I16", ("i", 1): "I8",
    ("u", 8): "U64", ("u", 4): "U32", ("u", 2): "U16", ("u", 1): "U8", ("b", 1): "BOOL",
}


def write_safetensors(arrays, path, metadata=None):
    """Write a dict of name -> numpy array to path in the safetensors format,
    atomically (a temporary file renamed over path)."""
    header, offset, blobs = {}, 0, []
    # Wider elements first, as safetensors does, so each tensor is aligned.
    for name in sorted(arrays, key=lambda n: (-np.asarray(arrays[n]).dtype.itemsize, n)):
        a = np.asarray(arrays[name])
        dtype = DTYPES.get((a.dtype.kind, a.dtype.itemsize))
        if dtype is None:
            raise ValueError(f"{name}: dtype {a.dtype} has no safetensors name")
        data = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # align the data to 8 bytes
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for data in blobs:
            f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def state_dict_arrays(state_dict):
    """Return the state dict as numpy arrays, each shared storage once."""
    import torch

    arrays, seen = {}, set()
    for name, t in state_dict.items():
        key = (t.data_ptr(), tuple(t.shape), tuple(t.stride()), t.dtype)
        if key in seen:
            continue
        seen.add(key)
        t = t.detach().cpu()
        if t.dtype == torch.bfloat16:  # numpy has no bfloat16
            t = t.float()
        arrays[name] = t.numpy()
    return arrays


def save_state_dict(state_dict, path, metadata=None):
    """Write a PyTorch state dict (e.g. a BLiTZ model's) to path."""
    write_safetensors(state_dict_arrays(state_dict), path, {"format": "pt", **(metadata or {})})


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: blitz_to_safetensors.py STATE_DICT.pt OUT.safetensors")
    import torch

    save_state_dict(torch.load(sys.argv[1], map_location="cpu"), sys.argv[2],
                    {"source": os.path.basename(sys.argv[1])})
