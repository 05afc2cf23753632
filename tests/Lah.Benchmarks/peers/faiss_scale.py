"""Side-by-side peer for `bench scale`: FAISS 1.7.3 (Debian python3-faiss) on the shard files our run wrote.

usage: faiss_scale.py WORK REPS MIH SAMPLE SHARD...
Reads the 64-bit codes of each LAH index file SHARD (header 32 bytes, count at byte 16, then count ids, then the
codes; our words' little-endian bytes are FAISS's byte order), WORK/fq.bin (flat queries) and WORK/mq.bin (radius
queries), raw bytes, 8 per code. IndexBinaryFlat k-NN-100 at 1 and all threads; with MIH=1 also IndexBinaryMultiHash
(3 tables of 21 bits) range search at Hamming distance <= 2 (FAISS's radius is strict, so radius=3).
Prints `faiss <key> <value>` lines and writes WORK/knn_d.i32 (k-NN distances) and, for the first SAMPLE radius
queries, WORK/mih_lims.i64 and WORK/mih_labels.i64, for the caller to compare with its own results.
"""
import sys
import time

import faiss
import numpy as np


def best_of(reps, fn):
    if reps < 2:
        fn()  # warm-up (page faults, allocator); with several runs the best one is already a warm one
    best, out = float("inf"), None
    for _ in range(reps):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024 * 1.048576


def codes_of(path):
    header = np.fromfile(path, dtype=np.uint8, count=32)
    bits = int(header[12:16].view(np.uint32)[0])
    count = int(header[16:24].view(np.int64)[0])
    assert bits == 64, f"{path}: {bits}-bit codes, expected 64"
    return np.memmap(path, dtype=np.uint8, mode="r", offset=32 + 8 * count, shape=(count, 8))


def main():
    work, reps, mih, sample, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4]), sys.argv[5:]
    fq = np.fromfile(f"{work}/fq.bin", dtype=np.uint8).reshape(-1, 8)
    mq = np.fromfile(f"{work}/mq.bin", dtype=np.uint8).reshape(-1, 8)
    threads = sorted({1, faiss.omp_get_max_threads()})

    start = time.perf_counter()
    flat = faiss.IndexBinaryFlat(64)
    for p in paths:
        flat.add(np.ascontiguousarray(codes_of(p)))
    print(f"faiss flat_build_s {time.perf_counter() - start:.6f}", flush=True)
    for t in threads:
        faiss.omp_set_num_threads(t)
        s, (dist, _) = best_of(reps, lambda: flat.search(fq, 100))
        print(f"faiss knn_qps_{t} {len(fq) / s:.6f}", flush=True)
    dist.astype(np.int32).tofile(f"{work}/knn_d.i32")

    if mih:
        faiss.omp_set_num_threads(threads[-1])
        start = time.perf_counter()
        index = faiss.IndexBinaryMultiHash(64, 3, 21)
        for p in paths:
            index.add(np.ascontiguousarray(codes_of(p)))
        print(f"faiss mih_build_s {time.perf_counter() - start:.6f}", flush=True)
        for t in threads:
            faiss.omp_set_num_threads(t)
            s, (lims, _, labels) = best_of(reps, lambda: index.range_search(mq, 3))
            print(f"faiss mih_qps_{t} {len(mq) / s:.6f}", flush=True)
        lims[: sample + 1].astype(np.int64).tofile(f"{work}/mih_lims.i64")
        labels[: lims[sample]].astype(np.int64).tofile(f"{work}/mih_labels.i64")
    print(f"faiss rss_mb {rss_mb():.1f}", flush=True)


if __name__ == "__main__":
    main()
