// Generic neural-network ops (convolution, normalisation, pooling, dropout, resampling). No model logic here.
#include "LahCommon.h"

LAH_API int32_t lah_nn_linear(LahTensor x, LahTensor w, LahTensor b, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::linear(*x, *w, b ? c10::optional<at::Tensor>(*b) : c10::nullopt));
    LAH_CATCH
}

// stride, padding and dilation are (h, w) pairs.
LAH_API int32_t lah_nn_conv2d(LahTensor x, LahTensor w, LahTensor b, const int64_t* stride, const int64_t* padding,
                              const int64_t* dilation, int64_t groups, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::conv2d(*x, *w, b ? c10::optional<at::Tensor>(*b) : c10::nullopt, lah::dims(stride, 2),
                                lah::dims(padding, 2), lah::dims(dilation, 2), groups));
    LAH_CATCH
}

// Running statistics are updated in place when training (PyTorch semantics); any of w, b, rm, rv may be null.
LAH_API int32_t lah_nn_batch_norm(LahTensor x, LahTensor w, LahTensor b, LahTensor rm, LahTensor rv, bool training,
                                  double momentum, double eps, LahTensor* out) {
    LAH_TRY
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
