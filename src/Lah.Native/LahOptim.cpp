// Generic helpers for nn modules and optimizers (no model logic): swapping a tensor's data in place so a module's
// parameters keep their identity (and autograd leaf status) when moved between devices or dtypes.
#include "LahCommon.h"

// Equivalent of PyTorch's `param.data = src`: t keeps its handle, requires_grad and identity, src's storage is used.
LAH_API int32_t lah_tensor_set_data(LahTensor t, LahTensor src) {
    LAH_TRY
    t->set_data(*src);
    LAH_CATCH
}

// t += v with an integral scalar, so integer tensors (BatchNorm's num_batches_tracked, step counters) stay integral.
LAH_API int32_t lah_tensor_add_int_(LahTensor t, int64_t v) {
    LAH_TRY
    t->add_(v);
    LAH_CATCH
}
