#!/usr/bin/python3
"""PIL peer of the `data` benchmark: JPEG decode + bilinear resize to 448x448 (+ ImageNet normalisation with NumPy),
single thread.

Usage: /usr/bin/python3 pil_decode_resize.py ROUNDS DUMP_DIR FILE...
Prints one JSON line with the median images/s per phase; writes each resized image's raw RGB bytes to DUMP_DIR.
The phases decode preloaded bytes; "pipeline" opens each file, as the loader's pipeline does.
"""
import io
import json
import os
import sys
import time

import numpy as np
import PIL
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def main():
    rounds, dump, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    data = [open(f, "rb").read() for f in files]
    # (x/255 - mean)/std as one multiply-add per value, written into a reused CHW slot like the loader's batch buffer.
    scale = (1 / (255 * STD))[:, None, None]
    shift = (-MEAN / STD)[:, None, None]
    slot = np.empty((3, 448, 448), np.float32)

    def decode(src):
        im = Image.open(src)
        return im.convert("RGB") if im.mode != "RGB" else (im.load() and im)

    def normalize(im):
        np.multiply(np.asarray(im).transpose(2, 0, 1), scale, out=slot, casting="unsafe")
        np.add(slot, shift, out=slot)

    def rate(fn):
        fn()  # warm-up
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        times.sort()
        return len(data) / times[len(times) // 2]

    decoded = [decode(io.BytesIO(b)) for b in data]
    resized = [im.resize((448, 448), Image.BILINEAR) for im in decoded]
    result = {
        "pil_version": PIL.__version__,
        "numpy_version": np.__version__,
        "decode": rate(lambda: [decode(io.BytesIO(b)) for b in data]),
        "resize": rate(lambda: [im.resize((448, 448), Image.BILINEAR) for im in decoded]),
        "normalize": rate(lambda: [normalize(im) for im in resized]),
        "decode_resize": rate(lambda: [decode(io.BytesIO(b)).resize((448, 448), Image.BILINEAR) for b in data]),
        "decode_resize_normalize": rate(lambda: [normalize(decode(io.BytesIO(b)).resize((448, 448), Image.BILINEAR)) for b in data]),
        "pipeline": rate(lambda: [normalize(decode(f).resize((448, 448), Image.BILINEAR)) for f in files]),
    }
    for f, out in zip(files, resized):
        with open(os.path.join(dump, os.path.basename(f) + ".rgb"), "wb") as o:
            o.write(out.tobytes())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
