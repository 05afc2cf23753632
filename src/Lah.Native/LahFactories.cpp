// Tensor factories and random numbers (libtorch's default generators, seeded by lah_manual_seed).
#include "LahCommon.h"

namespace {
at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index) {
    return at::TensorOptions().dtype(lah::to_scalar_type(dtype)).device(lah::to_device(device_type, device_index));
}
}  // namespace

// 0 zeros, 1 ones, 2 full(value), 3 empty, 4 rand, 5 randn.
LAH_API int32_t lah_tensor_factory(int32_t op, const int64_t* shape, int32_t ndim, double value, int32_t dtype,
                                   int32_t device_type, int32_t device_index, LahTensor* out) {
    LAH_TRY
    auto s = lah::dims(shape, ndim);
    auto o = options(dtype, device_type, device_index);
    at::Tensor r;
    switch (op) {
        case 0: r = at::zeros(s, o); break;
        case 1: r = at::ones(s, o); break;
        case 2: r = at::full(s, value, o); break;
        case 3: r = at::empty(s, o); break;
        case 4: r = at::rand(s, o); break;
        case 5: r = at::randn(s, o); break;
        default: throw std::invalid_argument("unknown factory " + std::to_string(op));
    }
    *out = lah::wrap(std::move(r));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_eye(int64_t n, int64_t m, int32_t dtype, int32_t device_type, int32_t device_index,
                               LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::eye(n, m, options(dtype, device_type, device_index)));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_arange(double start, double end, double step, int32_t dtype, int32_t device_type,
                                  int32_t device_index, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::arange(start, end, step, options(dtype, device_type, device_index)));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_randperm(int64_t n, int32_t device_type, int32_t device_index, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::randperm(n, options(4, device_type, device_index)));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_bernoulli(LahTensor p, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::bernoulli(*p));
    LAH_CATCH
}
