"""Side-by-side peer for `bench tsne`: scikit-learn's exact t-SNE with the same settings on the very codes ours embedded.

usage: tsne_exact.py DIR BITS PERPLEXITY ITERATIONS LEARNING_RATE EXAGGERATION N [N ...]
Reads DIR/codes{N}.f32 (N x BITS float32, raw little-endian) and prints one JSON line per N: n, wall and CPU seconds
of TSNE(method='exact', init='random').fit, the final KL divergence and scikit-learn's version. Every iteration runs,
as in ours (no early stop on progress or gradient norm).
"""
import inspect
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.manifold import TSNE


def main():
    folder, bits = sys.argv[1], int(sys.argv[2])
    perplexity, iterations, rate, exaggeration = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
    # The iteration count's name changed (n_iter -> max_iter in 1.5).
    count_name = "max_iter" if "max_iter" in inspect.signature(TSNE).parameters else "n_iter"
    for n in map(int, sys.argv[7:]):
        x = np.fromfile(f"{folder}/codes{n}.f32", dtype="<f4").reshape(n, bits)
        tsne = TSNE(
            n_components=2,
            perplexity=perplexity,
            early_exaggeration=exaggeration,
            learning_rate=rate,
            init="random",
            method="exact",
            random_state=0,
            n_iter_without_progress=iterations,
            min_grad_norm=0.0,
            **{count_name: iterations},
        )
        wall, cpu = time.perf_counter(), time.process_time()
        tsne.fit(x)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(json.dumps({"n": n, "wall": wall, "cpu": cpu, "kl": float(tsne.kl_divergence_), "version": sklearn.__version__}), flush=True)


if __name__ == "__main__":
    main()
