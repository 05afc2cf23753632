// Elementwise, reduction, linear-algebra, shape and indexing ops. Op codes mirror the enums in
// src/Lah.Torch/Native/NativeOps.cs: keep both lists in the same order.
#include "LahCommon.h"

namespace {
std::vector<at::Tensor> unpack(LahTensor* ts, int32_t n) {
    std::vector<at::Tensor> v;
    v.reserve(n);
    for (int32_t i = 0; i < n; i++) v.push_back(*ts[i]);
    return v;
}
}  // namespace

// libtorch 1.13 lacks meta kernels for a few ops (abs, relu, log_sigmoid, full max/min): on the meta device (shapes,
// no values) the shim computes them through equal expressions whose ops, backward included (no where), have meta
// kernels, so device placement of whole models stays testable without a GPU. CPU and CUDA never take these paths.
LAH_API int32_t lah_tensor_unary(LahTensor t, int32_t op, LahTensor* out) {
    LAH_TRY
    const at::Tensor& x = *t;
    at::Tensor r;
    if (x.is_meta()) {
        switch (op) {
            case 6: *out = lah::wrap(at::mul(x, at::sign(x))); return LAH_OK;                  // abs
            case 8: *out = lah::wrap(at::mul(x, at::gt(x, 0).to(x.scalar_type()))); return LAH_OK;  // relu
            case 12: *out = lah::wrap(at::neg(at::softplus(at::neg(x)))); return LAH_OK;       // log_sigmoid
        }
    }
    switch (op) {
        case 0: r = at::neg(x); break;
        case 1: r = at::exp(x); break;
        case 2: r = at::log(x); break;
        case 3: r = at::log1p(x); break;
        case 4: r = at::sqrt(x); break;
        case 5: r = at::rsqrt(x); break;
        case 6: r = at::abs(x); break;
        case 7: r = at::sign(x); break;
        case 8: r = at::relu(x); break;
        case 9: r = at::tanh(x); break;
        case 10: r = at::sigmoid(x); break;
        case 11: r = at::softplus(x); break;
        case 12: r = at::log_sigmoid(x); break;
        case 13: r = x.contiguous(); break;
        case 14: r = x.clone(); break;
        case 15: r = x.detach(); break;
        case 16: r = x.t(); break;
        case 17: r = at::logical_not(x); break;
        case 18: r = at::floor(x); break;
        case 19: r = at::square(x); break;
        default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
    }
    *out = lah::wrap(std::move(r));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_scalar_op(LahTensor t, int32_t op, double a, LahTensor* out) {
    LAH_TRY
    const at::Tensor& x = *t;
    at::Tensor r;
    switch (op) {
        case 0: r = at::pow(x, a); break;
        case 1: r = at::leaky_relu(x, a); break;
        case 2: r = at::add(x, a); break;
        case 3: r = at::sub(x, a); break;
        case 4: r = at::mul(x, a); break;
        case 5: r = at::div(x, a); break;
        case 6: r = at::rsub(x, a); break;                 // a - x
        case 7: r = at::mul(at::reciprocal(x), a); break;  // a / x
        case 8: r = at::eq(x, a); break;
        case 9: r = at::ne(x, a); break;
        case 10: r = at::lt(x, a); break;
        case 11: r = at::le(x, a); break;
        case 12: r = at::gt(x, a); break;
        case 13: r = at::ge(x, a); break;
        case 14: r = at::log_softmax(x, static_cast<int64_t>(a)); break;
        case 15: r = at::softmax(x, static_cast<int64_t>(a)); break;
        case 16: r = at::pow(a, x); break;
        default: throw std::invalid_argument("unknown scalar op " + std::to_string(op));
    }
    *out = lah::wrap(std::move(r));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_binary(LahTensor a, LahTensor b, int32_t op, double alpha, LahTensor* out) {
    LAH_TRY
    const at::Tensor& x = *a;
    const at::Tensor& y = *b;
    at::Tensor r;
    switch (op) {
        case 0: r = at::add(x, y, alpha); break;
        case 1: r = at::sub(x, y, alpha); break;
        case 2: r = at::mul(x, y); break;
        case 3: r = at::div(x, y); break;
        case 4: r = at::pow(x, y); break;
        case 5: r = at::eq(x, y); break;
        case 6: r = at::ne(x, y); break;
        case 7: r = at::lt(x, y); break;
        case 8: r = at::le(x, y); break;
        case 9: r = at::gt(x, y); break;
        case 10: r = at::ge(x, y); break;
        case 11: r = at::matmul(x, y); break;
        case 12: r = at::bmm(x, y); break;
        case 13: r = at::outer(x, y); break;
        case 14: r = at::maximum(x, y); break;
        case 15: r = at::minimum(x, y); break;
        case 16: r = at::logical_and(x, y); break;
        case 17: r = at::logical_or(x, y); break;
        case 18: r = at::masked_select(x, y); break;
        default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
    }
    *out = lah::wrap(std::move(r));
    LAH_CATCH
}

// ndims < 0 reduces over every element (keepdim ignored).
LAH_API int32_t lah_tensor_reduce(LahTensor t, int32_t op, const int64_t* dims, int32_t ndims, bool keepdim,
                                  LahTensor* out) {
    LAH_TRY
    const at::Tensor& x = *t;
    at::Tensor r;
    bool all = ndims < 0;
    auto d = all ? at::IntArrayRef() : lah::dims(dims, ndims);
    switch (op) {
        case 0: r = all ? at::sum(x) : at::sum(x, d, keepdim); break;
        case 1: r = all ? at::mean(x) : at::mean(x, d, keepdim); break;
        case 2: r = all ? (x.is_meta() ? at::amax(x.flatten(), 0) : at::max(x)) : at::amax(x, d, keepdim); break;
        case 3: r = all ? (x.is_meta() ? at::amin(x.flatten(), 0) : at::min(x)) : at::amin(x, d, keepdim); break;
        case 4: r = all ? at::logsumexp(x.flatten(), 0) : at::logsumexp(x, d, keepdim); break;
        default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
    }
    *out = lah::wrap(std::move(r));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_norm(LahTensor t, double p, const int64_t* dims, int32_t ndims, bool keepdim, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(ndims < 0 ? at::norm(*t, p) : at::norm(*t, p, lah::dims(dims, ndims), keepdim));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_max_dim(LahTensor t, int64_t dim, bool keepdim, int32_t is_min, LahTensor* values,
                                   LahTensor* indices) {
    LAH_TRY
    auto r = is_min ? at::min(*t, dim, keepdim) : at::max(*t, dim, keepdim);
    *values = lah::wrap(std::get<0>(r));
    *indices = lah::wrap(std::get<1>(r));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_argmax(LahTensor t, int64_t dim, bool keepdim, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::argmax(*t, dim, keepdim));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_clamp(LahTensor t, double min, double max, bool has_min, bool has_max, bool inplace,
                                 LahTensor* out) {
    LAH_TRY
    c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
    c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
    if (inplace) {
        t->clamp_(lo, hi);
        *out = nullptr;
    } else {
        *out = lah::wrap(at::clamp(*t, lo, hi));
    }
    LAH_CATCH
}

LAH_API int32_t lah_tensor_where(LahTensor cond, LahTensor a, LahTensor b, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::where(*cond, *a, *b));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_addmm(LahTensor bias, LahTensor a, LahTensor b, double beta, double alpha, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::addmm(*bias, *a, *b, beta, alpha));
    LAH_CATCH
}

// Shape ops taking a list of integers: 0 view, 1 reshape, 2 permute, 3 expand.
LAH_API int32_t lah_tensor_shape_op(LahTensor t, int32_t op, const int64_t* v, int32_t n, LahTensor* out) {
    LAH_TRY
    auto d = lah::dims(v, n);
    at::Tensor r;
    switch (op) {
        case 0: r = t->view(d); break;
        case 1: r = t->reshape(d); break;
        case 2: r = t->permute(d); break;
        case 3: r = t->expand(d); break;
        default: throw std::invalid_argument("unknown shape op " + std::to_string(op));
    }
    *out = lah::wrap(std::move(r));
    LAH_CATCH
}

// Ops taking up to three integers: 0 transpose(a,b), 1 unsqueeze(a), 2 squeeze(a), 3 flatten(a,b),
// 4 narrow(dim a, start b, length c), 5 diag(a), 6 tril(a), 7 triu(a).
LAH_API int32_t lah_tensor_int_op(LahTensor t, int32_t op, int64_t a, int64_t b, int64_t c, LahTensor* out) {
    LAH_TRY
    at::Tensor r;
    switch (op) {
        case 0: r = t->transpose(a, b); break;
        case 1: r = t->unsqueeze(a); break;
        case 2: r = t->squeeze(a); break;
        case 3: r = t->flatten(a, b); break;
        case 4: r = t->narrow(a, b, c); break;
        case 5: r = at::diag(*t, a); break;
        case 6: r = at::tril(*t, a); break;
        case 7: r = at::triu(*t, a); break;
        default: throw std::invalid_argument("unknown integer op " + std::to_string(op));
    }
    *out = lah::wrap(std::move(r));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_slice(LahTensor t, int64_t dim, int64_t start, int64_t end, int64_t step, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(t->slice(dim, start, end, step));
    LAH_CATCH
}

// 0 index_select, 1 gather.
LAH_API int32_t lah_tensor_index_op(LahTensor t, int32_t op, int64_t dim, LahTensor index, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(op == 0 ? at::index_select(*t, dim, *index) : at::gather(*t, dim, *index));
    LAH_CATCH
}

LAH_API int32_t lah_tensor_masked_fill(LahTensor t, LahTensor mask, double value, LahTensor* out) {
    LAH_TRY
    *out = lah::wrap(at::masked_fill(*t, *mask, value));
    LAH_CATCH
}

// 0 cat, 1 stack.
LAH_API int32_t lah_tensor_join(LahTensor* ts, int32_t n, int32_t op, int64_t dim, LahTensor* out) {
    LAH_TRY
    auto v = unpack(ts, n);
    *out = lah::wrap(op == 0 ? at::cat(v, dim) : at::stack(v, dim));
    LAH_CATCH
}

// In-place updates used by optimizers and initialisers: 0 add_(alpha), 1 sub_(alpha), 2 mul_, 3 div_, 4 copy_.
LAH_API int32_t lah_tensor_inplace_binary_(LahTensor t, LahTensor other, int32_t op, double alpha) {
    LAH_TRY
    switch (op) {
        case 0: t->add_(*other, alpha); break;
        case 1: t->sub_(*other, alpha); break;
        case 2: t->mul_(*other); break;
        case 3: t->div_(*other); break;
        case 4: t->copy_(*other); break;
        default: throw std::invalid_argument("unknown in-place op " + std::to_string(op));
    }
    LAH_CATCH
}

// 0 add_, 1 mul_, 2 fill_, 3 zero_, 4 sqrt_, 5 div_, 6 sub_, 7 fill_diagonal_, 8 uniform_(a, b), 9 normal_(a, b),
// 10 bernoulli_(a).
LAH_API int32_t lah_tensor_inplace_scalar_(LahTensor t, int32_t op, double a, double b) {
    LAH_TRY
    switch (op) {
        case 0: t->add_(a); break;
        case 1: t->mul_(a); break;
        case 2: t->fill_(a); break;
        case 3: t->zero_(); break;
        case 4: t->sqrt_(); break;
        case 5: t->div_(a); break;
        case 6: t->sub_(a); break;
        case 7: t->fill_diagonal_(a); break;
        case 8: t->uniform_(a, b); break;
        case 9: t->normal_(a, b); break;
        case 10: t->bernoulli_(a); break;
        default: throw std::invalid_argument("unknown in-place scalar op " + std::to_string(op));
    }
    LAH_CATCH
}

// 0 addcmul_, 1 addcdiv_.
LAH_API int32_t lah_tensor_addc_(LahTensor t, LahTensor a, LahTensor b, double value, int32_t op) {
    LAH_TRY
    if (op == 0) t->addcmul_(*a, *b, value);
    else t->addcdiv_(*a, *b, value);
    LAH_CATCH
}
