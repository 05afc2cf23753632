"""Side-by-side peer of the `hashing` benchmark suite: one LAH head training step (forward, backward, SGD with
momentum, weight decay and clipping) in vectorised PyTorch, the same mathematics as Lah.Hashing's LahModel.

Run with /usr/bin/python3 (Debian's python3-torch 1.13):  lah_head_step.py THREADS [R ...]
Prints one line per shape: `R=<R> median_ms=<ms> min_ms=<ms> cpu_ms=<process CPU ms per step> threads=<n>`.
CPU time per step is the steadier comparison on a shared, loaded machine.
"""
import sys, time, statistics
import torch
import torch.nn.functional as F

B, D, WORD, HID, C, J, STRIDE, K = 32, 2048, 300, 1024, 2048, 358, 358, 48


def build(R):
    torch.manual_seed(0)
    p = {
        "gc1": torch.empty(WORD, HID).uniform_(-HID ** -0.5, HID ** -0.5),
        "gc2": torch.empty(HID, C).uniform_(-C ** -0.5, C ** -0.5),
        "w1": torch.empty(J, D).uniform_(-D ** -0.5, D ** -0.5), "b1": torch.zeros(J),
        "w2": torch.empty(J, C).uniform_(-C ** -0.5, C ** -0.5), "b2": torch.zeros(J),
        "wh": torch.empty(K, R * J // STRIDE).uniform_(-0.1, 0.1), "bh": torch.zeros(K),
    }
    for t in p.values():
        t.requires_grad_(True)
    adj = torch.eye(R) + 0.01 * torch.rand(R, R)
    inp = torch.randn(R, WORD)
    feats = torch.rand(B, D)
    labels = (torch.rand(B, R) < 0.1).float()
    labels[:, 0] = 1
    opt = torch.optim.SGD(list(p.values()), lr=0.1, momentum=0.9, weight_decay=1e-4)
    return p, adj, inp, feats, labels, opt


def cauchy_loss(u, y, gamma=1.0, lam=2.0):
    inter = y @ y.t()
    cnt = y.sum(1)
    union = cnt[:, None] + cnt[None, :] - inter
    s = torch.where(union > 0, inter / union.clamp_min(1e-12), torch.zeros_like(inter))
    s.fill_diagonal_(1)
    k = u.shape[1]
    ip = u @ u.t()
    sq = u.pow(2).sum(1, keepdim=True)
    dist = (1 - ip / torch.sqrt(sq @ (sq + 1e-6).t()) + 1e-6) * (k / 2)
    c = gamma / (dist + gamma)
    w = (s - 1).abs() + s * ((s - 0.5) * 2).abs().sum() / s.sum()
    mask = torch.eye(len(s)) == 0
    sm, cm = s.masked_select(mask), c.masked_select(mask)
    ce = (-sm * cm.log() - (1 - sm) * (1 - cm).log()) * w.masked_select(mask)
    return ce.mean() + lam * (u.abs() - 1).pow(2).mean()


def step(p, adj, inp, feats, labels, opt, R):
    opt.zero_grad()
    e = adj @ (F.leaky_relu(adj @ (inp @ p["gc1"]), 0.2) @ p["gc2"])
    img = F.linear(feats, p["w1"], p["b1"])
    lab = F.linear(e, p["w2"], p["b2"])
    prod = F.dropout(img[:, None, :] * lab[None, :, :], 0.1, True)
    z = prod.view(B, R, J // STRIDE, STRIDE).sum(3).reshape(B, -1)
    u = torch.tanh(F.linear(z, p["wh"], p["bh"]))
    loss = cauchy_loss(u, labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(p.values()), 10)
    opt.step()
    return loss.item()


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    shapes = [int(a) for a in sys.argv[2:]] or [80, 20]
    torch.set_num_threads(threads)
    for R in shapes:
        state = build(R)
        for _ in range(5):
            step(*state, R)
        times = []
        c0 = time.process_time()
        for _ in range(30):
            t0 = time.perf_counter()
            step(*state, R)
            times.append((time.perf_counter() - t0) * 1000)
        cpu = (time.process_time() - c0) * 1000 / 30
        print(f"R={R} median_ms={statistics.median(times):.2f} min_ms={min(times):.2f} cpu_ms={cpu:.2f} threads={threads}",
              flush=True)


if __name__ == "__main__":
    main()
