// The order of the adders of many sums: the compiled planner of hgq_hls.lowering.sum_plan.
//
// Netlist.sum (netlist.py) builds a sum of signed operands as a tree of two-input adders: a
// heap on (depth, log2 of the largest value, arrival order) pops two operands, adds or
// subtracts them by their signs, and pushes the result.  This is the same rule on integer
// ranges, for every dot product of a layer at once, so that Python only creates the cells.
// The ranges (hence the magnitudes and the order) are computed exactly as the netlist does;
// a value that does not fit 53 bits (where a double could round differently from Python's
// int-to-float conversion) makes the planner decline, and the caller builds with Netlist.sum.
//
// Interface (CPython, no third-party headers):
//   plan(terms, offsets, sig_lo, sig_hi, sig_frac, order, parent, parent_sign, bias, bias_frac,
//        empty_frac) -> (adds, add_offsets, negate) or None
// terms int32 triples (sign, signal, shift) per row (row r: offsets[r]..offsets[r+1]); a term
// reads signal `signal` (mantissas sig_lo..sig_hi on the grid 2**-(sig_frac - shift)).  Rows
// are summed in `order`; row r also adds parent_sign[r] times the result of row parent[r]
// (-1: none; summed earlier), then the constant bias[r] * 2**-bias_frac when bias[r] != 0.
// A row's operands are numbered: its terms, then the parent, then the bias, then each adder's
// output in turn.  adds are int32 triples (first, second, subtract) in summing order,
// add_offsets int64 (rows + 1, in summing order), negate uint8 per row (a negative root:
// the caller negates it).

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cmath>
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

namespace {

constexpr int64_t LIMIT = int64_t(1) << 53;     // exact in a double either way

struct Range {
    int64_t lo, hi, frac;
};

// An operand waiting in a row's heap.
struct Pending {
    int64_t depth;
    double magnitude;
    int64_t order;       // arrival: the tie-breaker, unique within a row
    int32_t sign;
    int32_t ref;         // the operand's number within its row
    Range range;
};

struct Later {           // std::priority_queue keeps the largest: invert (depth, magnitude, order)
    bool operator()(const Pending &x, const Pending &y) const {
        if (x.depth != y.depth) return x.depth > y.depth;
        if (x.magnitude != y.magnitude) return x.magnitude > y.magnitude;
        return x.order > y.order;
    }
};

double magnitude(const Range &r) {      // netlist._magnitude
    int64_t m = std::max(std::llabs(r.lo), std::llabs(r.hi));
    return m ? std::log2(double(m)) - double(r.frac) : -INFINITY;
}

bool fits(int64_t v) { return v > -LIMIT && v < LIMIT; }

// ``a << s`` when it stays within LIMIT.
bool shifted(int64_t a, int64_t s, int64_t &out) {
    if (s < 0 || s > 53) return false;
    __int128 v = __int128(a) << s;
    if (v <= -LIMIT || v >= LIMIT) return false;
    out = int64_t(v);
    return true;
}

// Netlist.add's range of a + b or a - b.
bool add_range(const Range &a, const Range &b, bool subtract, Range &out) {
    int64_t frac = std::max(a.frac, b.frac), alo, ahi, blo, bhi;
    if (!shifted(a.lo, frac - a.frac, alo) || !shifted(a.hi, frac - a.frac, ahi) ||
        !shifted(b.lo, frac - b.frac, blo) || !shifted(b.hi, frac - b.frac, bhi))
        return false;
    out = subtract ? Range{alo - bhi, ahi - blo, frac} : Range{alo + blo, ahi + bhi, frac};
    return fits(out.lo) && fits(out.hi);
}

struct Plan {
    std::vector<int32_t> adds;
    std::vector<int64_t> add_offsets{0};
    std::vector<uint8_t> negate;
};

// Sum every row; false when a value leaves the exactly representable range.
bool plan_rows(const int32_t *terms, const int64_t *offsets, int64_t n_rows, const int64_t *sig_lo,
               const int64_t *sig_hi, const int64_t *sig_frac, int64_t n_signals, const int64_t *order,
               const int64_t *parent, const int32_t *parent_sign, const int64_t *bias, int64_t bias_frac,
               int64_t empty_frac, Plan &plan) {
    std::vector<Range> result(size_t(n_rows), Range{0, 0, empty_frac});
    std::vector<uint8_t> done(size_t(n_rows), 0);
    plan.negate.assign(size_t(n_rows), 0);
    std::vector<Pending> items;
    for (int64_t step = 0; step < n_rows; ++step) {
        int64_t r = order[step];
        if (r < 0 || r >= n_rows || done[r]) return false;
        items.clear();
        int32_t ref = 0;
        for (int64_t k = offsets[r]; k < offsets[r + 1]; ++k) {
            int32_t sign = terms[3 * k], sid = terms[3 * k + 1], shift = terms[3 * k + 2];
            if (sid < 0 || sid >= n_signals) return false;
            Range x{sig_lo[sid], sig_hi[sid], sig_frac[sid] - shift};
            if (!fits(x.lo) || !fits(x.hi)) return false;
            items.push_back(Pending{0, magnitude(x), ref, sign, ref, x});
            ++ref;
        }
        if (parent[r] >= 0) {
            if (parent[r] >= n_rows || !done[parent[r]]) return false;
            const Range &x = result[size_t(parent[r])];
            items.push_back(Pending{0, magnitude(x), ref, parent_sign[r], ref, x});
            ++ref;
        }
        if (bias[r]) {
            if (!fits(bias[r])) return false;
            Range x{bias[r], bias[r], bias_frac};
            items.push_back(Pending{0, magnitude(x), ref, 1, ref, x});
            ++ref;
        }
        done[r] = 1;
        if (items.empty()) {            // Netlist.sum of nothing: the caller writes a zero
            plan.add_offsets.push_back(int64_t(plan.adds.size() / 3));
            continue;
        }
        std::priority_queue<Pending, std::vector<Pending>, Later> heap(Later(), std::move(items));
        int64_t arrival = ref;
        while (heap.size() > 1) {
            Pending a = heap.top();
            heap.pop();
            Pending b = heap.top();
            heap.pop();
            if (a.sign != b.sign && a.sign < 0) std::swap(a, b);     // the positive one first
            bool subtract = a.sign != b.sign;
            Range out;
            if (!add_range(a.range, b.range, subtract, out)) return false;
            plan.adds.insert(plan.adds.end(), {a.ref, b.ref, int32_t(subtract)});
            int32_t sign = subtract ? 1 : a.sign;
            heap.push(Pending{std::max(a.depth, b.depth) + 1, magnitude(out), arrival++, sign, ref++, out});
        }
        const Pending &root = heap.top();
        Range value = root.range;
        if (root.sign < 0) {
            plan.negate[size_t(r)] = 1;
            value = Range{-root.range.hi, -root.range.lo, root.range.frac};
        }
        result[size_t(r)] = value;
        plan.add_offsets.push_back(int64_t(plan.adds.size() / 3));
    }
    return true;
}

template <class T> const T *view(const Py_buffer &b, Py_ssize_t n, std::string &error, const char *name) {
    if (b.len != n * Py_ssize_t(sizeof(T))) error = std::string("wrong length of ") + name;
    return static_cast<const T *>(b.buf);
}

PyObject *bytes_of(const void *data, size_t n) {
    return PyBytes_FromStringAndSize(n ? static_cast<const char *>(data) : "", Py_ssize_t(n));
}

PyObject *plan(PyObject *, PyObject *args) {
    Py_buffer b[9];
    long long bias_frac, empty_frac;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*y*y*LL", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7],
                          &b[8], &bias_frac, &empty_frac))
        return nullptr;
    std::string error;
    Py_ssize_t n_rows = b[1].len / Py_ssize_t(sizeof(int64_t)) - 1, n_signals = b[2].len / Py_ssize_t(sizeof(int64_t));
    const int64_t *offsets = view<int64_t>(b[1], n_rows + 1, error, "offsets");
    const int32_t *terms = view<int32_t>(b[0], 3 * (n_rows >= 0 ? offsets[n_rows] : 0), error, "terms");
    const int64_t *lo = view<int64_t>(b[2], n_signals, error, "sig_lo");
    const int64_t *hi = view<int64_t>(b[3], n_signals, error, "sig_hi");
    const int64_t *frac = view<int64_t>(b[4], n_signals, error, "sig_frac");
    const int64_t *order = view<int64_t>(b[5], n_rows, error, "order");
    const int64_t *parent = view<int64_t>(b[6], n_rows, error, "parent");
    const int32_t *parent_sign = view<int32_t>(b[7], n_rows, error, "parent_sign");
    const int64_t *bias = view<int64_t>(b[8], n_rows, error, "bias");
    Plan out;
    bool ok = false;
    if (error.empty()) {
        Py_BEGIN_ALLOW_THREADS
        ok = plan_rows(terms, offsets, n_rows, lo, hi, frac, n_signals, order, parent, parent_sign, bias,
                       bias_frac, empty_frac, out);
        Py_END_ALLOW_THREADS
    }
    for (Py_buffer &x : b) PyBuffer_Release(&x);
    if (!error.empty()) {
        PyErr_SetString(PyExc_ValueError, error.c_str());
        return nullptr;
    }
    if (!ok) Py_RETURN_NONE;
    PyObject *adds = bytes_of(out.adds.data(), out.adds.size() * sizeof(int32_t));
    PyObject *add_offsets = bytes_of(out.add_offsets.data(), out.add_offsets.size() * sizeof(int64_t));
    PyObject *negate = bytes_of(out.negate.data(), out.negate.size());
    if (!adds || !add_offsets || !negate) {
        Py_XDECREF(adds);
        Py_XDECREF(add_offsets);
        Py_XDECREF(negate);
        return nullptr;
    }
    return Py_BuildValue("(NNN)", adds, add_offsets, negate);
}

PyMethodDef methods[] = {
    {"plan", plan, METH_VARARGS, "plan(...) -> (adds, add_offsets, negate) or None; see _sums.cpp."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sums", "Compiled planner of hgq_hls.lowering.sum_plan.", -1,
                      methods};

}  // namespace

PyMODINIT_FUNC PyInit__sums(void) { return PyModule_Create(&module); }
