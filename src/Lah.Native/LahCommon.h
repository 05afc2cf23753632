// Shared definitions of the C ABI over libtorch: export macro, status codes and the try/catch wrapper that keeps
// every C++ exception inside the library (its message is kept thread-locally for lah_last_error()).
#pragma once
#include <cstdint>
#include <ATen/ATen.h>

#define LAH_API extern "C" __attribute__((visibility("default")))

enum LahStatus : int32_t {
    LAH_OK = 0,
    LAH_ERR_TORCH = -1,     // c10::Error (shape mismatch, bad argument, missing CUDA, ...)
    LAH_ERR_STD = -2,       // std::exception
    LAH_ERR_UNKNOWN = -3,   // anything else
};

namespace lah {
void set_last_error(const char* message);
}

// Every export is `LAH_TRY ... LAH_CATCH`; results travel through out-parameters.
#define LAH_TRY try {
#define LAH_CATCH                                                                     \
    return LAH_OK;                                                                    \
    }                                                                                 \
    catch (const c10::Error& e) { lah::set_last_error(e.what_without_backtrace()); return LAH_ERR_TORCH; } \
    catch (const std::exception& e) { lah::set_last_error(e.what()); return LAH_ERR_STD; }              \
    catch (...) { lah::set_last_error("unknown C++ exception"); return LAH_ERR_UNKNOWN; }

// A tensor handle is a heap at::Tensor (storage reference-counted by libtorch), freed only by lah_tensor_dispose.
typedef at::Tensor* LahTensor;

// A generator handle is a heap at::Generator (a reference to its impl), freed only by lah_generator_dispose.
// Functions that draw take one; null means libtorch's default generator for the device.
typedef at::Generator* LahGenerator;

namespace lah {
// Element types in the order of the C# DType enum.
at::ScalarType to_scalar_type(int32_t dtype);
int32_t from_scalar_type(at::ScalarType t);
at::Device to_device(int32_t device_type, int32_t device_index);
inline LahTensor wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }
inline c10::optional<at::Generator> gen(LahGenerator g) { return g ? c10::optional<at::Generator>(*g) : c10::nullopt; }
inline at::IntArrayRef dims(const int64_t* p, int32_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }
}  // namespace lah
