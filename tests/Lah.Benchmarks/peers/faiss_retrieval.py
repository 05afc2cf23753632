"""Side-by-side peer for `bench retrieval`: FAISS 1.7.3 (Debian python3-faiss) on the very codes our run wrote.

usage: faiss_retrieval.py DIR BITS N Q REPS [MQ]
Reads DIR/db{BITS}.bin (N codes), DIR/q{BITS}.bin (Q codes) and, given MQ, DIR/mq{BITS}.bin (MQ near-duplicate
queries for the multi-hash index), raw little-endian bytes, BITS/8 per code.
Prints one line per measurement: `faiss <case> <threads> <best seconds> <checksum>`; checksums let the caller check
that both sides found the same results (sum of k-NN distances, number of radius hits).
FAISS's range search is strict (d < radius), so Hamming <= 2 is radius=3.
"""
import sys
import time

import faiss
import numpy as np


def best_of(reps, fn):
    best, out = float("inf"), None
    for _ in range(reps):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main():
    folder, bits, n, nq, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    nbytes = bits // 8
    db = np.fromfile(f"{folder}/db{bits}.bin", dtype=np.uint8).reshape(n, nbytes)
    q = np.fromfile(f"{folder}/q{bits}.bin", dtype=np.uint8).reshape(nq, nbytes)
    nmq = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    mq = np.fromfile(f"{folder}/mq{bits}.bin", dtype=np.uint8).reshape(nmq, nbytes) if nmq else None

    flat = faiss.IndexBinaryFlat(bits)
    flat.add(db)
    # 3 tables of 21 bits for 64-bit codes (as asked); 6 of 21 for 128 bits: radius 2 stays exact (pigeonhole).
    nhash = 3 if bits == 64 else 6
    start = time.perf_counter()
    mih = faiss.IndexBinaryMultiHash(bits, nhash, 21)
    mih.add(db)
    build = time.perf_counter() - start
    print(f"faiss mih_build 1 {build:.6f} 0", flush=True)

    for threads in (1, faiss.omp_get_max_threads()):
        faiss.omp_set_num_threads(threads)
        t, (dist, _) = best_of(reps, lambda: flat.search(q, 100))
        print(f"faiss knn100 {threads} {t:.6f} {int(dist.sum())}", flush=True)
        t, (lims, _, _) = best_of(reps, lambda: flat.range_search(q, 3))
        print(f"faiss radius2 {threads} {t:.6f} {int(lims[-1])}", flush=True)
        t, (lims, _, _) = best_of(max(reps, 20), lambda: mih.range_search(q, 3))
        print(f"faiss mih_radius2 {threads} {t:.6f} {int(lims[-1])}", flush=True)
        if mq is not None:
            t, (lims, _, _) = best_of(reps, lambda: mih.range_search(mq, 3))
            print(f"faiss mih_radius2_100k {threads} {t:.6f} {int(lims[-1])}", flush=True)


if __name__ == "__main__":
    main()
