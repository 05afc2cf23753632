# FAISS's side of the binary index tests (Debian python3-faiss). Raw little-endian outputs, no NumPy files.
#   faiss_binary.py write DIR D N NQ K SEED   random codes -> DIR/flat.faiss (IndexBinaryFlat), DIR/idmap.faiss
#                                              (IndexBinaryIDMap, ids 5 + 3*perm), DIR/queries.u8, and FAISS's k-NN
#                                              of each: DIR/{flat,idmap}.D.i32 / .I.i64
#   faiss_binary.py search INDEX QUERIES K OUT   read_index_binary(INDEX), search -> OUT.D.i32 / OUT.I.i64, ntotal printed
import sys

import faiss
import numpy as np


def search(index, queries, k, out):
    D, I = index.search(queries, k)
    D.astype("<i4").tofile(out + ".D.i32")
    I.astype("<i8").tofile(out + ".I.i64")


if sys.argv[1] == "write":
    out, d, n, nq, k, seed = sys.argv[2], *map(int, sys.argv[3:8])
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, size=(n, d // 8), dtype=np.uint8)
    codes[n // 2 :: 7] = codes[: len(codes[n // 2 :: 7])]  # duplicates: ties at distance 0 and elsewhere
    queries = rng.integers(0, 256, size=(nq, d // 8), dtype=np.uint8)
    queries[:3] = codes[:3]
    queries.tofile(out + "/queries.u8")
    flat = faiss.IndexBinaryFlat(d)
    flat.add(codes)
    faiss.write_index_binary(flat, out + "/flat.faiss")
    search(flat, queries, k, out + "/flat")
    idmap = faiss.IndexBinaryIDMap(faiss.IndexBinaryFlat(d))
    idmap.add_with_ids(codes, (5 + 3 * rng.permutation(n)).astype(np.int64))
    faiss.write_index_binary(idmap, out + "/idmap.faiss")
    search(idmap, queries, k, out + "/idmap")
else:
    index_path, queries_path, k, out = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    index = faiss.read_index_binary(index_path)
    queries = np.fromfile(queries_path, dtype=np.uint8).reshape(-1, index.d // 8)
    search(index, queries, k, out)
    print(index.ntotal)
