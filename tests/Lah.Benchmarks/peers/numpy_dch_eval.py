"""Side-by-side peer for `bench retrieval`: DCH's MAP/P/R within Hamming radius 2 in NumPy, the way DCH's released
evaluation (thulab/DeepHash, get_precision_recall_by_Hamming_Radius) computes it, on the very data our run wrote.

usage: numpy_dch_eval.py DIR NQ N BITS LABELS RADIUS
Reads DIR/q_out.f32 (NQ x BITS), DIR/db_out.f32 (N x BITS) continuous outputs (codes are their signs: > 0 is +1),
DIR/q_labels.u8 (NQ x LABELS) and DIR/db_labels.u8 (N x LABELS) multi-hot labels, raw little-endian.
Writes DIR/numpy_result.f64 (NQ x 3: precision, recall, AP; AP NaN when the ball holds nothing relevant) and prints
`numpy dch <seconds> <mean ball size>`; the caller compares every value with its own.

As DCH: Hamming distances from one matrix product of the +-1 codes (here per block of queries, so that the NQ x N
matrix never has to fit in memory at once), then per query: relevance over the whole database (a label product,
where DCH compares label rows element by element), the ball, its order by inner product of the outputs (descending;
DCH's np.argsort is not stable, this one is, so ties go to the lower index as in ours), and AP. NumPy's BLAS uses
every core. Outputs are multiples of 1/16, so float64 inner products are exact in any summation order and both
sides see the same ties.
"""
import sys
import time

import numpy as np

BLOCK = 500


def main():
    folder = sys.argv[1]
    nq, n, bits, labels, radius = (int(a) for a in sys.argv[2:7])
    q_out = np.fromfile(f"{folder}/q_out.f32", dtype=np.float32).reshape(nq, bits)
    db_out = np.fromfile(f"{folder}/db_out.f32", dtype=np.float32).reshape(n, bits)
    q_lab = np.fromfile(f"{folder}/q_labels.u8", dtype=np.uint8).reshape(nq, labels).astype(np.float32)
    db_lab = np.fromfile(f"{folder}/db_labels.u8", dtype=np.uint8).reshape(n, labels).astype(np.float32)
    result = np.zeros((nq, 3))
    balls = 0

    start = time.perf_counter()
    q_codes = np.where(q_out > 0, 1.0, -1.0).astype(np.float32)
    db_codes = np.where(db_out > 0, 1.0, -1.0).astype(np.float32)
    db_out64 = db_out.astype(np.float64)
    for b in range(0, nq, BLOCK):
        e = min(nq, b + BLOCK)
        # +-1 codes: distance = (K - inner product) / 2, exact in float32 for K <= 2^24.
        hamm = (bits - q_codes[b:e] @ db_codes.T) / 2
        for i in range(b, e):
            ball = np.flatnonzero(hamm[i - b] <= radius)
            if ball.size == 0:
                continue  # P = R = AP = 0
            balls += ball.size
            relevant = (db_lab @ q_lab[i]) > 0
            rel_db = int(relevant.sum())
            ips = db_out64[ball] @ q_out[i].astype(np.float64)
            order = ball[np.argsort(-ips, kind="stable")]
            rel = relevant[order]
            hits = int(rel.sum())
            result[i, 0] = hits / ball.size
            result[i, 1] = hits / rel_db if rel_db else 0.0
            if hits == 0:
                result[i, 2] = np.nan
            else:
                ranks = np.flatnonzero(rel) + 1
                result[i, 2] = float(np.sum(np.arange(1, hits + 1) / ranks)) / hits
    seconds = time.perf_counter() - start

    result.tofile(f"{folder}/numpy_result.f64")
    print(f"numpy dch {seconds:.6f} {balls / nq:.3f}", flush=True)


if __name__ == "__main__":
    main()
