// Errors and process-wide settings: last error, versions, seeds, threads, CUDA discovery.
#include <string>
#include <ATen/Parallel.h>
#include <torch/version.h>
#include "LahCommon.h"

namespace {
thread_local std::string last_error;
}

void lah::set_last_error(const char* message) { last_error = message ? message : ""; }

// Borrowed pointer, valid until the next failing call on this thread.
LAH_API const char* lah_last_error() { return last_error.c_str(); }

LAH_API int32_t lah_torch_version(int32_t* major, int32_t* minor, int32_t* patch) {
    LAH_TRY
    *major = TORCH_VERSION_MAJOR;
    *minor = TORCH_VERSION_MINOR;
    *patch = TORCH_VERSION_PATCH;
    LAH_CATCH
}

LAH_API int32_t lah_manual_seed(uint64_t seed) {
    LAH_TRY
    {
        auto gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_current_seed(seed);
    }
    if (at::hasCUDA()) {
        int n = at::detail::getCUDAHooks().getNumGPUs();
        for (int i = 0; i < n; i++) {
            // Context::defaultGenerator exists in libtorch 1.13 and 2.x (CUDAHooks' getter was renamed in 2.x).
            auto gen = at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(i)));
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_current_seed(seed);
        }
    }
    LAH_CATCH
}

// The CPU generator's full state as a uint8 tensor (checkpoints restore it bit-exactly).
LAH_API int32_t lah_rng_get_state(LahTensor* out) {
    LAH_TRY
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    *out = lah::wrap(gen.get_state());
    LAH_CATCH
}

LAH_API int32_t lah_rng_set_state(LahTensor state) {
    LAH_TRY
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
    LAH_CATCH
}

// A CUDA device's default generator state (Philox seed and offset) as a uint8 tensor. Resolved at run time through
// the Context, so a CPU-only libtorch compiles this too and reports the missing CUDA as an error.
LAH_API int32_t lah_cuda_rng_get_state(int32_t device_index, LahTensor* out) {
    LAH_TRY
    auto gen = at::globalContext().defaultGenerator(lah::to_device(1, device_index));
    std::lock_guard<std::mutex> lock(gen.mutex());
    *out = lah::wrap(gen.get_state());
    LAH_CATCH
}

LAH_API int32_t lah_cuda_rng_set_state(int32_t device_index, LahTensor state) {
    LAH_TRY
    auto gen = at::globalContext().defaultGenerator(lah::to_device(1, device_index));
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
    LAH_CATCH
}

LAH_API int32_t lah_set_num_threads(int32_t n) {
    LAH_TRY
    at::set_num_threads(n);
    LAH_CATCH
}

LAH_API int32_t lah_get_num_threads(int32_t* out) {
    LAH_TRY
    *out = at::get_num_threads();
    LAH_CATCH
}

LAH_API int32_t lah_cuda_device_count(int32_t* out) {
    LAH_TRY
    *out = at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0;
    LAH_CATCH
}
