// Generic helpers for nn modules and optimizers (no model logic): swapping a tensor's data in place so a module's
// parameters keep their identity (and autograd leaf status) when moved between devices or dtypes.
#include "LahCommon.h"

// Equivalent of PyTorch's `param.data = src`: t keeps its handle, requires_grad and identity, src's storage is used.
// set_data refuses storage types that cannot share a TensorImpl (CPU ↔ meta): then the handle is rebound to src's data
// with t's requires_grad, so the C# object (held by modules and optimizers) still names the moved tensor.
LAH_API int32_t lah_tensor_set_data(LahTensor t, LahTensor src) {
    LAH_TRY
    if (!at::_has_compatible_shallow_copy_type(*t, *src)) {
        TORCH_CHECK(t->is_leaf(), "set_data: only a leaf tensor can move between ", t->device(), " and ", src->device());
        bool requires_grad = t->requires_grad();
        *t = src->detach();
        if (requires_grad) t->set_requires_grad(true);
        return LAH_OK;
    }
    t->set_data(*src);
    LAH_CATCH
}

// t += v with an integral scalar, so integer tensors (BatchNorm's num_batches_tracked, step counters) stay integral.
LAH_API int32_t lah_tensor_add_int_(LahTensor t, int64_t v) {
    LAH_TRY
    t->add_(v);
    LAH_CATCH
}
