// Generic neural-network ops (convolution, normalisation, pooling, dropout, resampling). No model logic here.
#include "LahCommon.h"

namespace {
// libtorch 1.13 has no meta kernels for convolution and batch norm. On the meta device (shapes, no values) the shim
// substitutes the op's shape rule: a result of the right shape, dtype and device with every input joined into the
// autograd graph, so backward reaches each input with its own shape. Devices are checked as libtorch would.
at::Tensor meta_result(at::IntArrayRef shape, const at::Tensor& x, std::initializer_list<const at::Tensor*> inputs,
                       const char* op) {
    at::Tensor out = at::zeros(shape, x.options());
    for (const at::Tensor* t : inputs) {
        if (t == nullptr || !t->defined()) continue;
        TORCH_CHECK(t->is_meta(), op, ": Expected all tensors to be on the same device, but found at least two devices, meta and ",
                    t->device(), "!");
        out = out + t->sum() * 0;
    }
    return out;
}

at::Tensor meta_conv2d(const at::Tensor& x, const at::Tensor& w, const at::Tensor* b, at::IntArrayRef stride,
                       at::IntArrayRef padding, at::IntArrayRef dilation, int64_t groups) {
    TORCH_CHECK(x.dim() == 4 && w.dim() == 4, "conv2d: expected a 4-D input and weight, got ", x.sizes(), " and ", w.sizes());
    TORCH_CHECK(x.size(1) == w.size(1) * groups, "conv2d: input ", x.sizes(), " has ", x.size(1), " channels, weight ", w.sizes(),
                " with groups ", groups, " expects ", w.size(1) * groups);
    std::vector<int64_t> shape{x.size(0), w.size(0), 0, 0};
    for (int i = 0; i < 2; i++) {
        shape[2 + i] = (x.size(2 + i) + 2 * padding[i] - dilation[i] * (w.size(2 + i) - 1) - 1) / stride[i] + 1;
        TORCH_CHECK(shape[2 + i] > 0, "conv2d: input ", x.sizes(), " is smaller than the kernel ", w.sizes());
    }
    return meta_result(shape, x, {&x, &w, b}, "conv2d");
}
}  // namespace

LAH_API int32_t lah_nn_linear(LahTensor x, LahTensor w, LahTensor b, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::linear(*x, *w, b ? c10::optional<at::Tensor>(*b) : c10::nullopt));
    LAH_CATCH
}

// stride, padding and dilation are (h, w) pairs.
LAH_API int32_t lah_nn_conv2d(LahTensor x, LahTensor w, LahTensor b, const int64_t* stride, const int64_t* padding,
                              const int64_t* dilation, int64_t groups, LahTensor* out) {
    LAH_TRY
    if (x->is_meta()) {
        *out = lah::wrap(meta_conv2d(*x, *w, b, lah::dims(stride, 2), lah::dims(padding, 2), lah::dims(dilation, 2), groups));
        return LAH_OK;
    }
    *out = lah::wrap(at::conv2d(*x, *w, b ? c10::optional<at::Tensor>(*b) : c10::nullopt, lah::dims(stride, 2),
                                lah::dims(padding, 2), lah::dims(dilation, 2), groups));
    LAH_CATCH
}

// Running statistics are updated in place when training (PyTorch semantics); any of w, b, rm, rv may be null.
LAH_API int32_t lah_nn_batch_norm(LahTensor x, LahTensor w, LahTensor b, LahTensor rm, LahTensor rv, bool training,
                                  double momentum, double eps, LahTensor* out) {
    LAH_TRY
    if (x->is_meta()) {
        TORCH_CHECK(x->dim() >= 2, "batch_norm: expected an N×C×… input, got ", x->sizes());
        *out = lah::wrap(meta_result(x->sizes(), *x, {x, w, b, rm, rv}, "batch_norm"));
        return LAH_OK;
    }
    auto opt = [](LahTensor t) { return t ? c10::optional<at::Tensor>(*t) : c10::nullopt; };
    *out = lah::wrap(at::batch_norm(*x, opt(w), opt(b), opt(rm), opt(rv), training, momentum, eps, true));
    LAH_CATCH
}

LAH_API int32_t lah_nn_max_pool2d(LahTensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                  const int64_t* dilation, bool ceil_mode, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::max_pool2d(*x, lah::dims(kernel, 2), lah::dims(stride, 2), lah::dims(padding, 2),
                                    lah::dims(dilation, 2), ceil_mode));
    LAH_CATCH
}

// 0 adaptive average, 1 adaptive max.
LAH_API int32_t lah_nn_adaptive_pool2d(LahTensor x, const int64_t* size, int32_t op, LahTensor* out) {
    LAH_TRY
    if (op == 0) *out = lah::wrap(at::adaptive_avg_pool2d(*x, lah::dims(size, 2)));
    else *out = lah::wrap(std::get<0>(at::adaptive_max_pool2d(*x, lah::dims(size, 2))));
    LAH_CATCH
}

LAH_API int32_t lah_nn_dropout(LahTensor x, double p, bool training, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::dropout(*x, p, training));
    LAH_CATCH
}

LAH_API int32_t lah_nn_upsample_bilinear2d(LahTensor x, const int64_t* size, bool align_corners, bool antialias,
                                           LahTensor* out) {
    LAH_TRY
    auto s = lah::dims(size, 2);
    *out = lah::wrap(antialias ? at::_upsample_bilinear2d_aa(*x, s, align_corners)
                               : at::upsample_bilinear2d(*x, s, align_corners));
    LAH_CATCH
}
