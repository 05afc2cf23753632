"""Side-by-side peer for `bench vision`: ResNet-50 at 224² in PyTorch 1.13 (Debian python3-torch, /usr/bin/python3).

usage: resnet_step.py THREADS TRAIN_BATCH ENCODE_BATCH ROUNDS
Debian has no torchvision: the network below is torchvision's ResNet-50 layout (Bottleneck, stride on the 3×3 conv),
written out. Training step, the same as VisionSuite.cs times on our side: backbone → global max pool → the LAH head
(one-hot GCN 20 → 256 → 512 on the official Â of VisionSuite's counts, MFB J = stride = 358 with dropout 0.1,
Linear(20, 48) → tanh) → Cauchy loss (IOU, normed, γ = 1, λ = 2) on Bernoulli(0.2) labels → backward → grad-norm clip
10 over every parameter → SGD (lr 0.01, momentum 0.9, wd 1e-4). Encoding: eval mode, no grad, the codes. Prints
`pytorch resnet50+lah-head <phase> <batch> <img/s> <ms/img>`, the median of ROUNDS timed steps after two warm-up steps.
"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

R, K, HID, C, J, STRIDE = 20, 48, 256, 512, 358, 358


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


def resnet50():
    layers, inplanes, stages = [], 64, []
    for planes, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        down = None
        if stride != 1 or inplanes != planes * 4:
            down = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4))
        stage = [Bottleneck(inplanes, planes, stride, down)]
        inplanes = planes * 4
        stage += [Bottleneck(inplanes, planes) for _ in range(1, blocks)]
        stages.append(nn.Sequential(*stage))
    stem = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    return nn.Sequential(*stem, *stages, nn.AdaptiveMaxPool2d(1), nn.Flatten())


def official_adj_hat(tau=0.4, p=0.15):
    """VisionSuite's counts (nums 100; 60 where (i + j) % 3 == 0, else 5) through the official gen_A and gen_adj."""
    idx = torch.arange(R)
    cooc = torch.where((idx[:, None] + idx[None, :]) % 3 == 0, 60.0, 5.0)
    cooc.fill_diagonal_(0)
    b = (cooc / 100.0 >= tau).float()
    a = b * p / (b.sum(0, keepdim=True) + 1e-6) + torch.eye(R)
    d = torch.diag(a.sum(1).pow(-0.5))
    return (a @ d).t() @ d


class LahHead(nn.Module):
    """Lah.Hashing's LahModel with one-hot labels and MFB, vectorised as ours is (one B×R×J product under dropout)."""

    def __init__(self, image_dim):
        super().__init__()
        self.register_buffer("inp", torch.eye(R))
        self.register_buffer("adj", official_adj_hat())
        self.gc1 = nn.Parameter(torch.empty(R, HID).uniform_(-HID ** -0.5, HID ** -0.5))
        self.gc2 = nn.Parameter(torch.empty(HID, C).uniform_(-C ** -0.5, C ** -0.5))
        self.img = nn.Linear(image_dim, J)
        self.lab = nn.Linear(C, J)
        self.hash = nn.Linear(R * J // STRIDE, K)

    def forward(self, x):
        e = self.adj @ (F.leaky_relu(self.adj @ (self.inp @ self.gc1), 0.2) @ self.gc2)
        img, lab = self.img(x), self.lab(e)
        if self.training:
            z = F.dropout(img[:, None, :] * lab[None, :, :], 0.1, True).view(len(x), R, J // STRIDE, STRIDE).sum(3)
        else:
            z = img @ lab.t()
        return torch.tanh(self.hash(z.reshape(len(x), -1)))


def cauchy_loss(u, y, gamma=1.0, lam=2.0):
    """CauchyHashLoss with its defaults (IOU similarity, normed distance, squared quantisation), as lah_head_step.py."""
    inter = y @ y.t()
    cnt = y.sum(1)
    union = cnt[:, None] + cnt[None, :] - inter
    s = torch.where(union > 0, inter / union.clamp_min(1e-12), torch.zeros_like(inter))
    s.fill_diagonal_(1)
    ip = u @ u.t()
    sq = u.pow(2).sum(1, keepdim=True)
    dist = (1 - ip / torch.sqrt(sq @ (sq + 1e-6).t()) + 1e-6) * (u.shape[1] / 2)
    c = gamma / (dist + gamma)
    w = (s - 1).abs() + s * ((s - 0.5) * 2).abs().sum() / s.sum()
    mask = torch.eye(len(s)) == 0
    sm, cm = s.masked_select(mask), c.masked_select(mask)
    ce = (-sm * cm.log() - (1 - sm) * (1 - cm).log()) * w.masked_select(mask)
    return ce.mean() + lam * (u.abs() - 1).pow(2).mean()


def median_ms_per_image(step, batch, rounds):
    step()
    step()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e3 / batch)
    return statistics.median(times)


def main():
    threads, train_batch, encode_batch, rounds = (int(a) for a in sys.argv[1:5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = nn.Sequential(resnet50(), LahHead(2048))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(train_batch, 3, 224, 224)
    labels = torch.bernoulli(torch.full((train_batch, R), 0.2))

    def train():
        net.train()
        opt.zero_grad()
        loss = cauchy_loss(net(x), labels)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 10)
        opt.step()
        loss.item()

    xe = torch.randn(encode_batch, 3, 224, 224)

    def encode():
        net.eval()
        with torch.no_grad():
            net(xe).numpy()

    for phase, step, batch in (("train", train, train_batch), ("encode", encode, encode_batch)):
        ms = median_ms_per_image(step, batch, rounds)
        print(f"pytorch resnet50+lah-head {phase} {batch} {1000 / ms:.1f} {ms:.2f}", flush=True)


if __name__ == "__main__":
    main()
