# Writes torch.save fixtures from a ResNet golden's weights, as PyTorch users have them: F32 tensors, 0-dim
# num_batches_tracked, an OrderedDict carrying `_metadata` like Module.state_dict() returns.
# Usage: make_pth.py GOLDEN.safetensors OUT_DIR   (safetensors parsed with json + numpy alone)
import collections, json, os, struct, sys

import numpy as np
import torch

src, out = sys.argv[1], sys.argv[2]
raw = open(src, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8 : 8 + n])
dtypes = {"F16": np.float16, "F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
sd = collections.OrderedDict()
for k, v in header.items():
    if k == "__metadata__" or k.startswith("input.") or k.startswith("expected."):
        continue
    a, b = v["data_offsets"]
    t = torch.from_numpy(np.frombuffer(raw[8 + n + a : 8 + n + b], dtype=dtypes[v["dtype"]]).reshape(v["shape"]).copy())
    if k.endswith("num_batches_tracked"):
        t = t.reshape(())
    elif t.dtype == torch.float16:
        t = t.float()
    sd[k] = t
sd._metadata = collections.OrderedDict({"": {"version": 1}, "conv1": {"version": 1}})

torch.save(sd, os.path.join(out, "weights.pth"))
torch.save({"state_dict": sd, "epoch": 3}, os.path.join(out, "checkpoint.pth"))
torch.save([torch.zeros(2)], os.path.join(out, "list.pth"))
torch.save({"w": torch.zeros(2), "lr": 0.1}, os.path.join(out, "mixed.pth"))
torch.save(sd, os.path.join(out, "legacy.pth"), _use_new_zipfile_serialization=False)
# A shared storage and a non-contiguous view: what tied or sliced weights look like.
base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
torch.save({"t": base.t(), "row": base[1], "i8": torch.tensor([-3, 7], dtype=torch.int8)}, os.path.join(out, "views.pth"))
print(len(sd))
# A genuine Module.state_dict() (its own _metadata), and its values as float64 in key order for comparison.
torch.manual_seed(0)
module = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Linear(5, 2))
module[1].running_mean.normal_()
msd = module.state_dict()
torch.save(msd, os.path.join(out, "module.pth"))
np.concatenate([v.double().flatten().numpy() for v in msd.values()]).astype("<f8").tofile(os.path.join(out, "module.f64"))
