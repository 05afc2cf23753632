"""Side-by-side peer for `bench vision`: ResNet-50 at 224² in PyTorch 1.13 (Debian python3-torch, /usr/bin/python3).

usage: resnet_step.py THREADS TRAIN_BATCH ENCODE_BATCH ROUNDS
Debian has no torchvision: the network below is torchvision's ResNet-50 layout (Bottleneck, stride on the 3×3 conv),
written out. Training step: backbone → global max pool → Linear(2048, 48) → tanh → a quadratic stand-in loss →
backward → grad-norm clip 10 → SGD (momentum 0.9, wd 1e-4); our step has the LAH head (R=20) and Cauchy loss there,
about 1% of the step. Encoding: eval mode, no grad. Prints `pytorch resnet50 <phase> <batch> <img/s> <ms/img>`,
the median of ROUNDS timed steps after two warm-up steps.
"""
import statistics
import sys
import time

import torch
from torch import nn


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
    net = nn.Sequential(resnet50(), nn.Linear(2048, 48), nn.Tanh())
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(train_batch, 3, 224, 224)

    def train():
        net.train()
        opt.zero_grad()
        loss = (net(x) ** 2).mean()
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
        print(f"pytorch resnet50 {phase} {batch} {1000 / ms:.1f} {ms:.2f}", flush=True)


if __name__ == "__main__":
    main()
