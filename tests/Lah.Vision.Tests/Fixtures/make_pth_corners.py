# Writes torch.save fixtures for the corners of reading a state dict (no golden needed), and expected.json with every
# tensor's file order, shape, dtype and values as float64, for PyTorchWeightsTests.
# Usage: make_pth_corners.py OUT_DIR
import argparse, collections, json, os, sys, zipfile

import numpy as np
import torch

out = sys.argv[1]
expected = {}


def record(name, sd):
    expected[name] = {
        "order": list(sd.keys()),
        "tensors": {k: {"shape": list(v.shape), "dtype": str(v.dtype)[6:], "values": v.double().flatten().tolist()} for k, v in sd.items()},
    }


# Views with offsets and strides, every storage type read, 0-dim and empty tensors, and one tensor object under two
# keys; a plain dict whose keys are not in ordinal order.
cube = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
tied = torch.tensor([0.25, -0.5])
views = {
    "z.permuted": cube.permute(2, 0, 1)[1:],  # strides (1, 12, 4), offset 1
    "m.stepped": torch.arange(20, dtype=torch.float64)[3::4],  # stride 4, offset 3
    "y.column": cube[1, :, 2],  # stride 4, offset 14
    "a.half": torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16),
    "b.bfloat16": torch.tensor([1.0, -3.5, 1e30], dtype=torch.bfloat16),
    "c.int16": torch.tensor([-300, 5], dtype=torch.int16),
    "d.bool": torch.tensor([True, False, True]),
    "e.uint8": torch.tensor([0, 255], dtype=torch.uint8),
    "f.int32": torch.tensor([-7, 2**31 - 1], dtype=torch.int32),
    "g.long": torch.tensor([-(2**40), 3]),
    "h.scalar": torch.tensor(3.5),
    "i.empty": torch.zeros(0, 3),
    "tied.a": tied,
    "tied.b": tied,
}
torch.save(views, os.path.join(out, "views.pth"))
record("views.pth", views)

# An OrderedDict longer than pickle's 1000-item SETITEMS batch, keys out of ordinal order, with `_metadata`.
big = collections.OrderedDict((f"p{(i * 7919) % 1500:04d}", torch.tensor([float(i)])) for i in range(1500))
big._metadata = collections.OrderedDict({"": {"version": 1}})
torch.save(big, os.path.join(out, "big.pth"))
record("big.pth", big)

# A checkpoint: a plain-dict state dict under "model" beside a numpy scalar, a numpy array, an argparse.Namespace and
# nested dicts, all written before it.
model = {f"layer{i}.weight": torch.full((2,), float(i)) for i in (3, 1, 2)}
checkpoint = {
    "epoch": 7,
    "best": np.float64(0.875),
    "history": np.array([0.5, 0.75]),
    "args": argparse.Namespace(lr=0.1, arch="resnet18"),
    "optimizer": {"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1, 2]}]},
    "model": model,
}
torch.save(checkpoint, os.path.join(out, "checkpoint.pth"))
record("checkpoint.pth", model)

# A checkpoint object whose class needs constructor arguments (Counter(dict)): not read, named.
torch.save({"model": {"w": torch.zeros(1)}, "counts": collections.Counter("aab")}, os.path.join(out, "counter.pth"))

# A storage type without a C# dtype.
torch.save({"c": torch.zeros(2, dtype=torch.complex64)}, os.path.join(out, "complex.pth"))


# The same archive with one entry replaced (None: left out; added when absent), as a damaged or hand-edited file.
def rewrite(src, dst, entry_suffix, data):
    with zipfile.ZipFile(os.path.join(out, src)) as zin, zipfile.ZipFile(os.path.join(out, dst), "w") as zout:
        found = False
        for item in zin.infolist():
            if item.filename.endswith(entry_suffix):
                found = True
                if data is not None:
                    zout.writestr(item, data)
            else:
                zout.writestr(item, zin.read(item.filename))
        if not found and data is not None:
            prefix = next(n for n in zin.namelist() if n.endswith("/data.pkl"))[: -len("/data.pkl")]
            zout.writestr(prefix + entry_suffix, data)


torch.save({"w": torch.arange(4, dtype=torch.float32)}, os.path.join(out, "four.pth"))
rewrite("four.pth", "short_storage.pth", "/data/0", b"\0" * 8)
rewrite("four.pth", "no_storage.pth", "/data/0", None)
rewrite("four.pth", "bad_pickle.pth", "/data.pkl", b"\x80\x02}q\x00(X\x01\x00\x00\x00w\xff")
rewrite("four.pth", "cut_pickle.pth", "/data.pkl", b"\x80\x02}q\x00(X\x01\x00\x00")
rewrite("four.pth", "big_endian.pth", "/byteorder", b"big")

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
