// Autograd: leaves, gradients, backward and the thread-local grad mode.
#include <ATen/core/grad_mode.h>  // at::GradMode: no longer reached through ATen.h in libtorch 2.x
#include <torch/csrc/autograd/autograd.h>
#include "LahCommon.h"

LAH_API int32_t lah_autograd_set_requires_grad(LahTensor t, bool value) {
    LAH_TRY
    t->set_requires_grad(value);
    LAH_CATCH
}

LAH_API int32_t lah_autograd_requires_grad(LahTensor t, bool* out) {
    LAH_TRY
    *out = t->requires_grad();
    LAH_CATCH
}

LAH_API int32_t lah_autograd_is_leaf(LahTensor t, bool* out) {
    LAH_TRY
    *out = t->is_leaf();
    LAH_CATCH
}

// *out is null when the tensor has no gradient.
LAH_API int32_t lah_autograd_grad(LahTensor t, LahTensor* out) {
    LAH_TRY
    const auto& g = t->grad();
    *out = g.defined() ? lah::wrap(g) : nullptr;
    LAH_CATCH
}

// set_to_none: drop the gradient (PyTorch's zero_grad(set_to_none=True)); else fill it with zeros.
LAH_API int32_t lah_autograd_zero_grad(LahTensor t, bool set_to_none) {
    LAH_TRY
    auto& g = t->mutable_grad();
    if (g.defined()) {
        if (set_to_none) g.reset();
        else {
            g = g.detach();
            g.zero_();
        }
    }
    LAH_CATCH
}

LAH_API int32_t lah_autograd_set_grad(LahTensor t, LahTensor g) {
    LAH_TRY
    t->mutable_grad() = g ? g->detach() : at::Tensor();
    LAH_CATCH
}

LAH_API int32_t lah_autograd_backward(LahTensor t, LahTensor gradient, bool retain_graph) {
    LAH_TRY
    torch::autograd::backward({*t}, gradient ? torch::autograd::variable_list{*gradient} : torch::autograd::variable_list{},
                              retain_graph, false);
    LAH_CATCH
}

LAH_API int32_t lah_autograd_set_grad_enabled(bool enabled, bool* previous) {
    LAH_TRY
    *previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled);
    LAH_CATCH
}
