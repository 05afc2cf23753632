#include <string>
#include <torch/torch.h>
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
