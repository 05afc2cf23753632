// Explicit random generators and the draws that take one (null = libtorch's default generator), so two users in
// one process (parallel tests, side-by-side runs) never share a stream. A generator is CPU: drawing for a tensor
// on another device draws on the CPU and copies, so the stream depends only on the generator, not the device.
#include <ATen/CPUGeneratorImpl.h>
#include "LahCommon.h"

namespace {
// The generator's mutex guards its state; ops that draw take it themselves, state access here takes it too.
at::Generator resolve(LahGenerator g) { return g ? *g : at::detail::getDefaultCPUGenerator(); }

bool draws_elsewhere(LahGenerator g, const at::Device& target) { return g && g->device().type() != target.type(); }
}  // namespace

LAH_API int32_t lah_generator_new(uint64_t seed, LahGenerator* out) {
    LAH_TRY
    *out = new at::Generator(at::detail::createCPUGenerator(seed));
    LAH_CATCH
}

LAH_API int32_t lah_generator_dispose(LahGenerator g) {
    LAH_TRY
    delete g;
    LAH_CATCH
}

// null: the default CPU generator (what lah_manual_seed seeds).
LAH_API int32_t lah_generator_manual_seed(LahGenerator g, uint64_t seed) {
    LAH_TRY
    auto gen = resolve(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
    LAH_CATCH
}

LAH_API int32_t lah_generator_initial_seed(LahGenerator g, uint64_t* out) {
    LAH_TRY
    auto gen = resolve(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    *out = gen.current_seed();
    LAH_CATCH
}

// The full state as a uint8 tensor (checkpoints restore it bit-exactly).
LAH_API int32_t lah_generator_get_state(LahGenerator g, LahTensor* out) {
    LAH_TRY
    auto gen = resolve(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    *out = lah::wrap(gen.get_state());
    LAH_CATCH
}

LAH_API int32_t lah_generator_set_state(LahGenerator g, LahTensor state) {
    LAH_TRY
    auto gen = resolve(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
    LAH_CATCH
}

// 0 rand (uniform [0, 1)), 1 randn (standard normal).
LAH_API int32_t lah_random_tensor(int32_t op, const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                                  int32_t device_index, LahGenerator g, LahTensor* out) {
    LAH_TRY
    auto device = lah::to_device(device_type, device_index);
    auto o = at::TensorOptions().dtype(lah::to_scalar_type(dtype)).device(draws_elsewhere(g, device) ? g->device() : device);
    auto s = lah::dims(shape, ndim);
    at::Tensor r;
    switch (op) {
        case 0: r = at::rand(s, lah::gen(g), o); break;
        case 1: r = at::randn(s, lah::gen(g), o); break;
        default: throw std::invalid_argument("unknown random factory " + std::to_string(op));
    }
    *out = lah::wrap(r.to(device));
    LAH_CATCH
}

LAH_API int32_t lah_random_randperm(int64_t n, int32_t device_type, int32_t device_index, LahGenerator g,
                                    LahTensor* out) {
    LAH_TRY
    auto device = lah::to_device(device_type, device_index);
    auto o = at::TensorOptions().dtype(at::kLong).device(draws_elsewhere(g, device) ? g->device() : device);
    *out = lah::wrap(at::randperm(n, lah::gen(g), o).to(device));
    LAH_CATCH
}

// 0/1 draws with the probabilities in p.
LAH_API int32_t lah_random_bernoulli(LahTensor p, LahGenerator g, LahTensor* out) {
    LAH_TRY
    if (draws_elsewhere(g, p->device()))
        *out = lah::wrap(at::bernoulli(p->to(g->device()), lah::gen(g)).to(p->device()));
    else
        *out = lah::wrap(at::bernoulli(*p, lah::gen(g)));
    LAH_CATCH
}

// In place: 0 uniform_(a, b), 1 normal_(a, b) (mean, std), 2 bernoulli_(a).
LAH_API int32_t lah_random_fill_(LahTensor t, int32_t op, double a, double b, LahGenerator g) {
    LAH_TRY
    auto fill = [&](at::Tensor& x) {
        switch (op) {
            case 0: x.uniform_(a, b, lah::gen(g)); break;
            case 1: x.normal_(a, b, lah::gen(g)); break;
            case 2: x.bernoulli_(a, lah::gen(g)); break;
            default: throw std::invalid_argument("unknown random fill " + std::to_string(op));
        }
    };
    if (draws_elsewhere(g, t->device())) {
        auto tmp = at::empty_like(*t, t->options().device(g->device()));
        fill(tmp);
        t->copy_(tmp);
    } else {
        fill(*t);
    }
    LAH_CATCH
}

// Inverted dropout with an explicit generator: x · mask / (1 − p), mask ~ Bernoulli(1 − p) — at::dropout's own CPU
// computation (which takes no generator), so a generator seeded like the default one gives the same values.
LAH_API int32_t lah_random_dropout(LahTensor x, double p, bool training, LahGenerator g, LahTensor* out) {
    LAH_TRY
    TORCH_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
    if (!training || p == 0 || x->numel() == 0) {
        *out = lah::wrap(*x);
    } else if (p == 1) {
        *out = lah::wrap(x->mul(at::zeros({}, x->options())));
    } else {
        auto noise = at::empty_like(*x, x->options().device(draws_elsewhere(g, x->device()) ? g->device() : x->device()),
                                    at::MemoryFormat::Contiguous);
        noise.bernoulli_(1 - p, lah::gen(g));
        noise.div_(1 - p);
        *out = lah::wrap(x->mul(noise.to(x->device())));
    }
    LAH_CATCH
}
