"""Side-by-side peer for `bench torch`: the same ops in PyTorch (Debian python3-torch), run with /usr/bin/python3."""
import sys
import time

import torch


def per_call(fn, seconds=1.0):
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return (time.perf_counter() - start) / n


def main():
    for threads in (1, 2):
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        a, b = torch.ones(1), torch.ones(1)
        x = torch.randn(256, 2048)
        w = (torch.randn(2048, 350) * 0.02).requires_grad_()

        def mm():
            x.matmul(w).sum().backward()
            w.grad = None

        add = per_call(lambda: a + b)
        fb = per_call(mm, 2.0)
        print(f"pytorch {torch.__version__} threads={threads}: tiny add {add * 1e9:.0f} ns, "
              f"matmul 256x2048@2048x350 fwd+bwd {fb * 1e3:.2f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
