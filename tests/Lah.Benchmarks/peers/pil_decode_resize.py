#!/usr/bin/python3
"""PIL peer of the `data` benchmark: JPEG decode + bilinear resize to 448x448, single thread, files preloaded.

Usage: /usr/bin/python3 pil_decode_resize.py ROUNDS DUMP_DIR FILE...
Prints one JSON line with the median images/s per phase; writes each resized image's raw RGB bytes to DUMP_DIR.
"""
import io
import json
import os
import sys
import time

import PIL
from PIL import Image


def main():
    rounds, dump, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    data = [open(f, "rb").read() for f in files]

    def decode(b):
        im = Image.open(io.BytesIO(b))
        return im.convert("RGB") if im.mode != "RGB" else (im.load() and im)

    def rate(fn):
        fn()  # warm-up
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        times.sort()
        return len(data) / times[len(times) // 2]

    decoded = [decode(b) for b in data]
    result = {
        "pil_version": PIL.__version__,
        "decode": rate(lambda: [decode(b) for b in data]),
        "resize": rate(lambda: [im.resize((448, 448), Image.BILINEAR) for im in decoded]),
        "decode_resize": rate(lambda: [decode(b).resize((448, 448), Image.BILINEAR) for b in data]),
    }
    for f, im in zip(files, decoded):
        out = im.resize((448, 448), Image.BILINEAR)
        with open(os.path.join(dump, os.path.basename(f) + ".rgb"), "wb") as o:
            o.write(out.tobytes())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
