// Collective communication over libtorch's c10d: a TCPStore for rendezvous, a Gloo process group over it, and the
// collectives data-parallel training needs (all-reduce, broadcast, all-gather, barrier). Generic: no model logic.
//
// Gloo's headers ship separately from libtorch's (Debian: libgloo-dev; pytorch.org zips: include/gloo). Without them
// the shim still builds and every call here reports that Gloo is missing, so a build never breaks on this file.
#include <chrono>
#include <string>
#include <vector>
#include <torch/version.h>
#include "LahCommon.h"

#if __has_include(<gloo/algorithm.h>)
#define LAH_HAVE_GLOO 1
#define USE_C10D_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#else
#define LAH_HAVE_GLOO 0
#endif

#if LAH_HAVE_GLOO
// Heap intrusive pointers: the store outlives its handle while a process group still references it.
typedef c10::intrusive_ptr<c10d::Store>* LahStore;
typedef c10::intrusive_ptr<c10d::ProcessGroupGloo>* LahProcessGroup;
#else
typedef void* LahStore;
typedef void* LahProcessGroup;
#define LAH_NO_GLOO() TORCH_CHECK(false, "this build of liblahnative has no Gloo (c10d) support: build it with Gloo's headers (Debian: libgloo-dev)")
#endif

LAH_API int32_t lah_dist_gloo_available(bool* out) {
    LAH_TRY
    *out = LAH_HAVE_GLOO != 0;
    LAH_CATCH
}

// The master (is_master) listens on port and waits until world_size clients (itself included) have joined; the others
// retry connecting until timeout_ms. Either side throws a clear error after the timeout.
LAH_API int32_t lah_dist_store_tcp(const char* host, int32_t port, int32_t world_size, bool is_master, int64_t timeout_ms,
                                   LahStore* out) {
    LAH_TRY
#if LAH_HAVE_GLOO
    TORCH_CHECK(port > 0 && port < 65536, "TCPStore: port must be in 1..65535, got ", port);
    TORCH_CHECK(world_size >= 1, "TCPStore: world size must be at least 1, got ", world_size);
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(port);
    opts.isServer = is_master;
    opts.numWorkers = static_cast<std::size_t>(world_size);
    opts.waitWorkers = true;
    opts.timeout = std::chrono::milliseconds(timeout_ms);
#if TORCH_VERSION_MAJOR >= 2
    // 2.x defaults to the libuv server, which a distribution build may lack; the classic server is what 1.13 runs.
    opts.useLibUV = false;
#endif
    auto store = c10::make_intrusive<c10d::TCPStore>(std::string(host), opts);
    *out = new c10::intrusive_ptr<c10d::Store>(std::move(store));
#else
    LAH_NO_GLOO();
#endif
    LAH_CATCH
}

LAH_API int32_t lah_dist_store_dispose(LahStore s) {
    LAH_TRY
    delete s;
    LAH_CATCH
}

// Gloo binds one transport device: a network interface name if given, else an address or hostname, else the address
// this machine's hostname resolves to. timeout_ms bounds every collective (a dead peer fails it at the latest then).
LAH_API int32_t lah_dist_gloo_new(LahStore store, int32_t rank, int32_t size, int64_t timeout_ms, const char* hostname,
                                  const char* interface_name, LahProcessGroup* out) {
    LAH_TRY
#if LAH_HAVE_GLOO
    TORCH_CHECK(size >= 1, "ProcessGroupGloo: world size must be at least 1, got ", size);
    TORCH_CHECK(rank >= 0 && rank < size, "ProcessGroupGloo: rank ", rank, " is outside 0..", size - 1,
                " (world size ", size, ")");
    auto opts = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeout_ms));
    std::string iface = interface_name ? interface_name : "";
    std::string host = hostname ? hostname : "";
    if (!iface.empty())
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
    else if (!host.empty())
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
    else
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    // Two worker threads, as torch.distributed uses; collectives here are issued one stream at a time anyway.
    opts->threads = 2;
    auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(*store, rank, size, opts);
    *out = new c10::intrusive_ptr<c10d::ProcessGroupGloo>(std::move(pg));
#else
    LAH_NO_GLOO();
#endif
    LAH_CATCH
}

LAH_API int32_t lah_dist_pg_dispose(LahProcessGroup pg) {
    LAH_TRY
    delete pg;
    LAH_CATCH
}

#if LAH_HAVE_GLOO
namespace {
std::vector<at::Tensor> checked(const LahTensor* tensors, int32_t n, const char* op) {
    std::vector<at::Tensor> v;
    v.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; i++) {
        const at::Tensor& t = *tensors[i];
        // Gloo reads and writes the raw buffer in place: a strided view would be silently wrong.
        TORCH_CHECK(t.device().is_cpu(), op, ": Gloo works on CPU tensors, tensor ", i, " is on ", t.device());
        TORCH_CHECK(t.is_contiguous(), op, ": tensor ", i, " is not contiguous");
        v.push_back(t);
    }
    return v;
}

// One tensor per work item: Gloo's multi-tensor form means one tensor per local device, not a list of buffers.
// Every item is issued before the first wait so they pipeline through Gloo's worker threads.
template <typename Issue>
void each(const std::vector<at::Tensor>& ts, Issue issue) {
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    works.reserve(ts.size());
    for (const auto& t : ts) {
        std::vector<at::Tensor> one{t};
        works.push_back(issue(one));
    }
    for (auto& w : works) w->wait();
}
}  // namespace
#endif

// op: 0 sum, 1 max, 2 min (in place on every tensor).
LAH_API int32_t lah_dist_allreduce(LahProcessGroup pg, const LahTensor* tensors, int32_t n, int32_t op) {
    LAH_TRY
#if LAH_HAVE_GLOO
    c10d::AllreduceOptions opts;
    switch (op) {
    case 0: opts.reduceOp = c10d::ReduceOp::SUM; break;
    case 1: opts.reduceOp = c10d::ReduceOp::MAX; break;
    case 2: opts.reduceOp = c10d::ReduceOp::MIN; break;
    default: TORCH_CHECK(false, "all-reduce: unknown reduce op ", op);
    }
    auto ts = checked(tensors, n, "all-reduce");
    each(ts, [&](std::vector<at::Tensor>& one) { return (*pg)->allreduce(one, opts); });
#else
    LAH_NO_GLOO();
#endif
    LAH_CATCH
}

LAH_API int32_t lah_dist_broadcast(LahProcessGroup pg, const LahTensor* tensors, int32_t n, int32_t root) {
    LAH_TRY
#if LAH_HAVE_GLOO
    TORCH_CHECK(root >= 0 && root < (*pg)->getSize(), "broadcast: root ", root, " is outside 0..", (*pg)->getSize() - 1);
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    auto ts = checked(tensors, n, "broadcast");
    each(ts, [&](std::vector<at::Tensor>& one) { return (*pg)->broadcast(one, opts); });
#else
    LAH_NO_GLOO();
#endif
    LAH_CATCH
}

// Every rank's input stacked along dim 0 in rank order: [world·B, …] from [B, …], a new tensor. Every rank must pass
// the same shape and dtype (the caller checks that first: Gloo itself may only fail at the timeout).
LAH_API int32_t lah_dist_allgather(LahProcessGroup pg, LahTensor input, LahTensor* out) {
    LAH_TRY
#if LAH_HAVE_GLOO
    auto in = checked(&input, 1, "all-gather");
    TORCH_CHECK(in[0].dim() >= 1, "all-gather: expected a tensor with a first (row) dimension, got a scalar");
    const int64_t world = (*pg)->getSize();
    const int64_t rows = in[0].size(0);
    auto sizes = in[0].sizes().vec();
    sizes[0] = rows * world;
    auto result = at::empty(sizes, in[0].options());
    // Every rank holds the same shape, so every rank skips an empty gather alike.
    if (result.numel() > 0) {
        // Gloo's allgather copies rank r's rows into outputs[0][r]: row blocks of the one result (contiguous views).
        std::vector<std::vector<at::Tensor>> outputs(1);
        outputs[0].reserve(static_cast<size_t>(world));
        for (int64_t r = 0; r < world; r++) outputs[0].push_back(result.narrow(0, r * rows, rows));
        (*pg)->allgather(outputs, in)->wait();
    }
    *out = lah::wrap(std::move(result));
#else
    LAH_NO_GLOO();
#endif
    LAH_CATCH
}

LAH_API int32_t lah_dist_barrier(LahProcessGroup pg) {
    LAH_TRY
#if LAH_HAVE_GLOO
    (*pg)->barrier()->wait();
#else
    LAH_NO_GLOO();
#endif
    LAH_CATCH
}
