# scikit-learn's side of the t-SNE peer test (Debian python3-sklearn). Raw little-endian inputs, one JSON line out.
#   tsne_sklearn.py DATA N D PERPLEXITY ITERATIONS LEARNING_RATE EXAGGERATION SEED OURS
#     DATA: N*D float32 (row-major); OURS: our final embedding, N*2 float64 (row-major).
#   Prints {"kl": TSNE(method='exact', init='random', ...).kl_divergence_ on DATA,
#           "kl_of_ours": KL(P || Q) of OURS under scikit-learn's own P and KL function, "version": ...}.
import inspect
import json
import sys

import numpy as np
import sklearn
from sklearn.manifold import TSNE
from sklearn.manifold import _t_sne
from sklearn.metrics import pairwise_distances

path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
perplexity, iterations, rate, exaggeration = float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
seed, ours_path = int(sys.argv[8]), sys.argv[9]

x = np.fromfile(path, dtype="<f4").reshape(n, d)
ours = np.fromfile(ours_path, dtype="<f8").reshape(n, 2)

# The iteration count's name changed (n_iter -> max_iter in 1.5). No early stop: run every iteration, as ours does.
params = inspect.signature(TSNE).parameters
count = {"max_iter": iterations} if "max_iter" in params else {"n_iter": iterations}
tsne = TSNE(
    n_components=2,
    perplexity=perplexity,
    early_exaggeration=exaggeration,
    learning_rate=rate,
    init="random",
    method="exact",
    random_state=seed,
    n_iter_without_progress=iterations,
    min_grad_norm=0.0,
    **count,
)
tsne.fit(x)

# scikit-learn's P (float32 distances, its own binary search) and its KL at our embedding: checks our P and KL.
distances = pairwise_distances(x, metric="euclidean", squared=True)
p = _t_sne._joint_probabilities(distances, perplexity, 0)
kl_of_ours, _ = _t_sne._kl_divergence(ours.ravel(), p, 1, n, 2)

print(json.dumps({"kl": float(tsne.kl_divergence_), "kl_of_ours": float(kl_of_ours), "version": sklearn.__version__}))
