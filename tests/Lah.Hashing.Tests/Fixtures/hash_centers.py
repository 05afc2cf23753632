# An independent peer of HashCenters.Generate's balanced codes and CsqLoss.RandomFill: Lah.Data.Rng (xoshiro256**
# seeded through SplitMix64, Rng.For's key chain, Lemire's bounded integers, Fisher-Yates) and the greedy choice of
# centers, written from their definitions. Prints the pins of HashCentersTests (24 labels, 48 bits, seed 3: rows 0 and
# 23; the 64-bit fill of seed 3). Usage: python3 hash_centers.py
M = (1 << 64) - 1
CENTERS_KEY, FILL_KEY = 0x43454E54455253, 0x43535146494C4C  # "CENTERS", "CSQFILL"
CANDIDATES, MAX_CANDIDATES = 64, 2000

def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)
def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
class Rng:
    def __init__(self, seed):
        sm = seed; self.s = []
        for _ in range(4):
            sm, v = splitmix(sm); self.s.append(v)
    @staticmethod
    def For(*keys):
        h = 0x9E3779B97F4A7C15
        for k in keys:
            _, h = splitmix(h ^ k)
        return Rng(h)
    def next(self):
        s0, s1, s2, s3 = self.s
        result = (rotl((s1 * 5) & M, 7) * 9) & M
        t = (s1 << 17) & M
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result
    def nextint(self, n):
        threshold = ((1 << 64) - n) % n
        while True:
            r = self.next(); p = r * n
            if (p & M) >= threshold: return p >> 64
    def shuffle(self, a):
        for i in range(len(a) - 1, 0, -1):
            j = self.nextint(i + 1); a[i], a[j] = a[j], a[i]
def centers(labels, bits, seed):
    rng = Rng.For(seed, CENTERS_KEY)
    rows = []
    for r in range(labels):
        best = None; bmin, bsum = -1, -1; target = (bits + 3) // 4; c = 0
        while c < MAX_CANDIDATES and (c < CANDIDATES or bmin < target):
            cand = [1 if j < bits // 2 else -1 for j in range(bits)]
            rng.shuffle(cand)
            mn = 2**31 - 1; sm = 0
            for o in rows:
                d = sum(1 for x, y in zip(cand, o) if x != y); mn = min(mn, d); sm += d
            if mn > bmin or (mn == bmin and sm > bsum):
                bmin, bsum = mn, sm; best = list(cand)
            if not rows: break
            c += 1
        rows.append(best)
    return rows
rows = centers(24, 48, 3)
f = lambda r: ''.join('1' if v > 0 else '0' for v in r)
print(f(rows[0])); print(f(rows[23]))
fr = Rng.For(3, FILL_KEY)
print(''.join('1' if fr.nextint(2) else '0' for _ in range(64)))  # NextInt(2) == 0 is −1
