// Tensor lifecycle, host buffers, metadata and conversions.
#include <cstring>
#include "LahCommon.h"

at::ScalarType lah::to_scalar_type(int32_t dtype) {
    switch (dtype) {
        case 0: return at::kFloat;
        case 1: return at::kDouble;
        case 2: return at::kHalf;
        case 3: return at::kBFloat16;
        case 4: return at::kLong;
        case 5: return at::kInt;
        case 6: return at::kByte;
        case 7: return at::kBool;
    }
    throw std::invalid_argument("unknown dtype code " + std::to_string(dtype));
}

int32_t lah::from_scalar_type(at::ScalarType t) {
    switch (t) {
        case at::kFloat: return 0;
        case at::kDouble: return 1;
        case at::kHalf: return 2;
        case at::kBFloat16: return 3;
        case at::kLong: return 4;
        case at::kInt: return 5;
        case at::kByte: return 6;
        case at::kBool: return 7;
        default: throw std::invalid_argument(std::string("unsupported dtype ") + c10::toString(t));
    }
}

at::Device lah::to_device(int32_t device_type, int32_t device_index) {
    if (device_type == 0) return at::Device(at::kCPU);
    if (device_type == 1) {
        if (!at::hasCUDA())
            throw std::runtime_error("CUDA was requested (cuda:" + std::to_string(device_index) +
                                     ") but this libtorch has no CUDA support or no GPU is visible; "
                                     "use a CUDA build of libtorch (LIBTORCH=...) on a machine with an NVIDIA GPU");
        int n = at::detail::getCUDAHooks().getNumGPUs();
        if (device_index < 0 || device_index >= n)
            throw std::runtime_error("cuda:" + std::to_string(device_index) + " requested but only " +
                                     std::to_string(n) + " CUDA device(s) are visible");
        return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_index));
    }
    // meta: shapes and dtypes without storage, so device placement is testable without a GPU.
    if (device_type == 2) return at::Device(at::kMeta);
    throw std::invalid_argument("unknown device type code " + std::to_string(device_type));
}

LAH_API int32_t lah_tensor_dispose(LahTensor t) {
    LAH_TRY
    delete t;
    LAH_CATCH
}

// Copies `data` (row-major, dtype-sized elements) into a new tensor on the given device.
LAH_API int32_t lah_tensor_from_data(const void* data, const int64_t* shape, int32_t ndim, int32_t dtype,
                                     int32_t device_type, int32_t device_index, LahTensor* out) {
    LAH_TRY
    auto opts = at::TensorOptions().dtype(lah::to_scalar_type(dtype));
    auto t = at::empty(lah::dims(shape, ndim), opts);
    if (t.numel() > 0) std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
    if (device_type != 0) t = t.to(lah::to_device(device_type, device_index));
    *out = lah::wrap(std::move(t));
    LAH_CATCH
}

// Copies the tensor (any device/layout) into `dst`, which must hold exactly numel * element_size bytes.
LAH_API int32_t lah_tensor_copy_to(LahTensor t, void* dst, int64_t nbytes) {
    LAH_TRY
    TORCH_CHECK(!t->is_meta(), "copy_to: a meta tensor has no data to read (shape ", t->sizes(), ")");
    auto c = t->detach().to(at::kCPU).contiguous();
    int64_t need = c.numel() * static_cast<int64_t>(c.element_size());
    TORCH_CHECK(need == nbytes, "copy_to: destination has ", nbytes, " bytes, tensor needs ", need);
    if (need > 0) std::memcpy(dst, c.data_ptr(), need);
    LAH_CATCH
}

LAH_API int32_t lah_tensor_ndim(LahTensor t, int32_t* out) {
    LAH_TRY
    *out = static_cast<int32_t>(t->dim());
    LAH_CATCH
}

LAH_API int32_t lah_tensor_shape(LahTensor t, int64_t* out) {
    LAH_TRY
    for (int64_t i = 0; i < t->dim(); i++) out[i] = t->size(i);
    LAH_CATCH
}

LAH_API int32_t lah_tensor_dtype(LahTensor t, int32_t* out) {
    LAH_TRY
    *out = lah::from_scalar_type(t->scalar_type());
    LAH_CATCH
}

LAH_API int32_t lah_tensor_device(LahTensor t, int32_t* type, int32_t* index) {
    LAH_TRY
    *type = t->device().is_cuda() ? 1 : t->device().is_meta() ? 2 : 0;
    *index = t->device().has_index() ? t->device().index() : 0;
    LAH_CATCH
}

// dtype < 0 keeps the dtype; device_type < 0 keeps the device.
LAH_API int32_t lah_tensor_to(LahTensor t, int32_t dtype, int32_t device_type, int32_t device_index, LahTensor* out) {
    LAH_TRY
    at::Tensor r = *t;
    if (device_type >= 0) r = r.to(lah::to_device(device_type, device_index));
    if (dtype >= 0) r = r.to(lah::to_scalar_type(dtype));
    *out = lah::wrap(std::move(r));
    LAH_CATCH
}
