// Common subexpressions of constant dot products: the compiled core of hgq_hls.lowering.cse.
//
// Hartley's pairwise elimination, greedy by frequency: every row (one dot product) is a list
// of terms (sign, signal, shift); a pair of terms x_a + s * (x_b << d) that occurs in several
// rows becomes a new signal, most frequent pair first (ties: by the rule tie_break names),
// until no pair repeats.  The selection order, the substitution scan and the order of the
// rewritten rows are exactly those of the algorithm as documented in cse.py, so a netlist is
// the same whichever machine builds it.
//
// Interface (CPython, no third-party headers):
//   eliminate(terms: bytes, offsets: bytes, n_signals: int)
//       -> (definitions: bytes, terms: bytes, offsets: bytes)
// terms are int32 triples (sign, signal, shift), offsets int64 row starts (n_rows + 1),
// definitions int32 quadruples (a, b, d, s): signal n_signals + k = x_a + s * (x_b << d).

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Term {
    int32_t sign, signal, shift;
    bool operator==(const Term &o) const {
        return sign == o.sign && signal == o.signal && shift == o.shift;
    }
};

// A pair key (a, b, d, s) packed so that integer order is the lexicographic order of the tuple.
constexpr int SIGNAL_BITS = 24, SHIFT_BITS = 12;
constexpr int64_t SIGNAL_LIMIT = int64_t(1) << SIGNAL_BITS;
constexpr int32_t SHIFT_OFFSET = 1 << (SHIFT_BITS - 1);

inline uint64_t pack_key(int64_t a, int64_t b, int64_t d, int64_t s) {
    return (uint64_t(a) << (SIGNAL_BITS + SHIFT_BITS + 1)) | (uint64_t(b) << (SHIFT_BITS + 1)) |
           (uint64_t(d + SHIFT_OFFSET) << 1) | uint64_t(s > 0);
}

struct Key {
    int32_t a, b, d, s;
};

inline Key unpack_key(uint64_t k) {
    Key out;
    out.s = (k & 1) ? 1 : -1;
    out.d = int32_t((k >> 1) & ((1u << SHIFT_BITS) - 1)) - SHIFT_OFFSET;
    out.b = int32_t((k >> (SHIFT_BITS + 1)) & (SIGNAL_LIMIT - 1));
    out.a = int32_t(k >> (SIGNAL_BITS + SHIFT_BITS + 1));
    return out;
}

// The key of the pair (t, u) and the (sign, shift) at which the new signal replaces it.
inline uint64_t pair_key(const Term &t, const Term &u) {
    if (t.signal > u.signal || (t.signal == u.signal && t.shift > u.shift))
        return pack_key(u.signal, t.signal, t.shift - u.shift, t.sign * u.sign);
    return pack_key(t.signal, u.signal, u.shift - t.shift, t.sign * u.sign);
}

inline const Term &first_of(const Term &t, const Term &u) {
    return (t.signal > u.signal || (t.signal == u.signal && t.shift > u.shift)) ? u : t;
}

inline uint64_t mix(uint64_t x) {    // splitmix64 finalizer
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// What is known of one pair key: its count, the highest count it is queued at, and
// the rows it was counted in (a list threaded through one pool: no allocation per pair).
struct PairInfo {
    uint64_t key;            // 0: an empty cell (a packed key's d field is at least 1)
    int32_t count;
    int32_t queued;
    int32_t rows_head;       // last pool entry of its row list, -1 when none
    int32_t last_row;        // the row added last (rows come in runs: skip repeats)
};

struct RowLink {
    int32_t row, next;
};

// A pair's state is one 24-byte cell.  Pairs of two input signals (most of the work: every
// digit of every weight) sit in a dense array indexed by (a, b, d, s), so the pairs of one term
// with the rest of its row (signals in increasing order) are read almost sequentially; pairs
// involving a defined signal go to an open-addressing hash table (linear probing).
class PairTable {
  public:
    PairTable() : cells_(1 << 16), size_(0) {}

    // Index pairs of signals in [base, base + n_dense) with |d| <= max_d densely, when that
    // stays small and the cells would be used: at least one pair occurrence per DENSE_PER_PAIR
    // cells.  The block comes zeroed from calloc (the OS maps zero pages lazily: cells never
    // touched cost nothing) and a cell is initialized at its first use, so a layer with few
    // rows does not pay for filling and scanning a block far larger than its pairs.
    void set_dense(int64_t base, int64_t n_dense, int64_t max_d, int64_t pairs) {
        int64_t span = 2 * max_d + 1, entries = n_dense * n_dense * span * 2;
        if (n_dense <= 0 || entries > DENSE_LIMIT || entries > DENSE_PER_PAIR * pairs) return;
        dense_.reset(static_cast<PairInfo *>(std::calloc(size_t(entries), sizeof(PairInfo))));
        if (!dense_) return;             // no memory for the block: hash every pair
        base_ = base;
        n_dense_ = n_dense;
        max_d_ = max_d;
        span_ = span;
    }

    // Room for this many row links (the first count adds one per pair occurrence).
    void reserve_links(int64_t n) { links.reserve(size_t(n)); }

    // The pair's cell (created with count 0); valid until the next call.
    PairInfo &find(uint64_t key) {
        int64_t index = dense_index(key);
        if (index >= 0) {
            PairInfo &c = dense_[size_t(index)];
            if (!c.key) {
                c = PairInfo{key, 0, 0, -1, -1};
                dense_used_.push_back(size_t(index));
            }
            return c;
        }
        size_t mask = cells_.size() - 1, i = mix(key) & mask;
        while (cells_[i].key) {
            if (cells_[i].key == key) return cells_[i];
            i = (i + 1) & mask;
        }
        if (2 * (size_ + 1) > cells_.size()) {
            grow();
            return find(key);
        }
        ++size_;
        used_.push_back(i);
        cells_[i] = PairInfo{key, 0, 0, -1, -1};
        return cells_[i];
    }

    // The pair's cell, or null when the pair was never stored.
    PairInfo *find_existing(uint64_t key) {
        int64_t index = dense_index(key);
        if (index >= 0) return dense_[size_t(index)].key ? &dense_[size_t(index)] : nullptr;
        size_t mask = cells_.size() - 1, i = mix(key) & mask;
        while (cells_[i].key) {
            if (cells_[i].key == key) return &cells_[i];
            i = (i + 1) & mask;
        }
        return nullptr;
    }

    // Forget every pair (keeps the capacity; the hashed part only: no dense cells).
    void reset() {
        for (size_t i : used_) cells_[i] = PairInfo{0, 0, 0, -1, -1};
        used_.clear();
        size_ = 0;
        links.clear();
    }

    // The rows a pair was counted in (unsorted, may repeat).
    template <class F> void each_row(const PairInfo &p, F f) const {
        for (int32_t k = p.rows_head; k >= 0; k = links[k].next) f(links[k].row);
    }

    void add_row(PairInfo &p, int32_t r) {
        if (p.last_row == r) return;
        links.push_back(RowLink{r, p.rows_head});
        p.rows_head = int32_t(links.size() - 1);
        p.last_row = r;
    }

    // The rows of a pair, increasing and distinct; forgets them.
    std::vector<int32_t> take_rows(PairInfo &p) {
        std::vector<int32_t> out;
        for (int32_t k = p.rows_head; k >= 0; k = links[k].next) out.push_back(links[k].row);
        p.rows_head = -1;
        p.last_row = -1;
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    // Every cell in use, dense ones first.
    template <class F> void each(F f) {
        for (size_t i : dense_used_) f(dense_[i]);
        for (size_t i : used_) f(cells_[i]);
    }

    // Start loading the cell of a key (updates are memory-bound: a row's pairs are spread over
    // the table, so several loads in flight pay off).
    void prefetch(uint64_t key) const {
        int64_t index = dense_index(key);
        if (index >= 0)
            __builtin_prefetch(&dense_[size_t(index)]);
        else
            __builtin_prefetch(&cells_[mix(key) & (cells_.size() - 1)]);
    }

  private:
    void grow() {
        std::vector<PairInfo> old(cells_.size() * 2);
        old.swap(cells_);
        size_t mask = cells_.size() - 1;
        std::vector<size_t> used;
        for (size_t k : used_) {
            const PairInfo &c = old[k];
            size_t i = mix(c.key) & mask;
            while (cells_[i].key) i = (i + 1) & mask;
            cells_[i] = c;
            used.push_back(i);
        }
        used_.swap(used);
    }

    int64_t dense_index(uint64_t key) const {
        if (!dense_) return -1;
        Key k = unpack_key(key);
        int64_t a = k.a - base_, b = k.b - base_;
        if (a < 0 || b < 0 || a >= n_dense_ || b >= n_dense_ || k.d < -max_d_ || k.d > max_d_) return -1;
        return ((a * n_dense_ + b) * span_ + (k.d + max_d_)) * 2 + (k.s > 0);
    }

    static constexpr int64_t DENSE_LIMIT = int64_t(1) << 22;     // cells (96 MiB at most)
    static constexpr int64_t DENSE_PER_PAIR = 16;
    struct Free {
        void operator()(PairInfo *p) const { std::free(p); }
    };
    std::vector<PairInfo> cells_;
    std::unique_ptr<PairInfo[], Free> dense_;
    std::vector<size_t> used_;      // hashed cells in use, in insertion order
    std::vector<size_t> dense_used_;     // dense cells in use (every queue order is by key)
    size_t size_;
    int64_t base_ = 0, n_dense_ = 0, max_d_ = 0, span_ = 0;
    std::vector<RowLink> links;
};

// Pairs queued by count: bucket c holds keys queued at count c (some stale: their count fell
// since).  A bucket is sorted by decreasing key once it is reached, so its back is the smallest
// key; keys queued into a sorted bucket are inserted in order.  Popping takes the highest
// count, then the smallest key - the order of a heap of (-count, key), at O(1) per entry.
class CountQueue {
  public:
    // tie_break 0: the smallest key first; 1: the smallest |d| first (narrower adders), then key;
    // 2: as 1, but among equal |d| a pair extending a found sub-sum (b >= n_signals) first;
    // 3: the largest key first (pairs of the newest signals: da4ml's order); 4: the smallest
    // |d| first, then the largest key
    explicit CountQueue(int tie_break = 0) : tie_break_(tie_break) {}

    void set_tie_break(int tie_break, int64_t n_signals) {
        tie_break_ = tie_break;
        n_signals_ = n_signals;
    }

    // x pops before y (among equal counts)
    bool before(uint64_t x, uint64_t y) const {
        if (tie_break_ == 1 || tie_break_ == 2 || tie_break_ == 4) {
            Key kx = unpack_key(x), ky = unpack_key(y);
            int32_t dx = std::abs(kx.d), dy = std::abs(ky.d);
            if (dx != dy) return dx < dy;
            bool nx = kx.b >= n_signals_, ny = ky.b >= n_signals_;
            if (tie_break_ == 2 && nx != ny) return nx;
        }
        return tie_break_ >= 3 ? x > y : x < y;
    }

    void push(int32_t count, uint64_t key) {
        if (size_t(count) >= buckets_.size()) {
            buckets_.resize(size_t(count) + 1);
            sorted_.resize(size_t(count) + 1, 0);
        }
        auto &b = buckets_[count];
        if (sorted_[count])
            b.insert(std::upper_bound(b.begin(), b.end(), key, [this](uint64_t x, uint64_t y) { return before(y, x); }),
                     key);
        else
            b.push_back(key);
        if (count > top_) top_ = count;
    }

    // The highest (count, smallest key), removed; false when empty.
    bool pop(int32_t &count, uint64_t &key) {
        while (top_ >= 0 && buckets_[top_].empty()) {
            sorted_[top_] = 0;
            --top_;
        }
        if (top_ < 0) return false;
        auto &b = buckets_[top_];
        if (!sorted_[top_]) {
            std::sort(b.begin(), b.end(), [this](uint64_t x, uint64_t y) { return before(y, x); });
            sorted_[top_] = 1;
        }
        count = top_;
        key = b.back();
        b.pop_back();
        return true;
    }

  private:
    std::vector<std::vector<uint64_t>> buckets_;
    std::vector<uint8_t> sorted_;
    int32_t top_ = -1;
    int tie_break_;
    int64_t n_signals_ = 0;
};

class Eliminator {
  public:
    Eliminator(std::vector<std::vector<Term>> rows, int64_t n_signals, int tie_break = 0)
        : rows_(std::move(rows)), n_signals_(n_signals) {
        queue_.set_tie_break(tie_break, n_signals);
    }

    std::vector<Key> run() {
        int32_t lo = 0, hi = 0, first = 0, last = -1;
        bool any = false;
        int64_t pairs = 0;
        for (const auto &row : rows_) {
            pairs += int64_t(row.size()) * (int64_t(row.size()) - 1) / 2;
            for (const Term &t : row) {
                lo = any ? std::min(lo, t.shift) : t.shift;
                hi = any ? std::max(hi, t.shift) : t.shift;
                first = any ? std::min(first, t.signal) : t.signal;
                last = any ? std::max(last, t.signal) : t.signal;
                any = true;
            }
        }
        table_.set_dense(first, int64_t(last) - first + 1, int64_t(hi) - lo, pairs);
        table_.reserve_links(pairs);
        for (size_t r = 0; r < rows_.size(); ++r) {
            const auto &row = rows_[r];
            for (size_t i = 0; i < row.size(); ++i)
                account(int32_t(r), row[i], row.data() + i + 1, row.data() + row.size(), 1);
        }
        table_.each([this](PairInfo &c) {
            if (c.count >= 2) {
                queue_.push(c.count, c.key);
                c.queued = c.count;
            }
        });
        queue_ready_ = true;
        std::vector<Key> definitions;
        int32_t queued_count;
        uint64_t packed;
        while (queue_.pop(queued_count, packed)) {
            PairInfo &p = table_.find(packed);
            int32_t c = p.count;
            if (c != queued_count) {
                // the count fell since this entry was queued: re-queue it at its current count
                // (only its highest entry does: lower ones are left over from earlier re-queues)
                if (queued_count == p.queued) {
                    p.queued = c >= 2 ? c : 0;
                    if (c >= 2) queue_.push(c, packed);
                }
                continue;
            }
            p.queued = 0;
            int64_t signal = n_signals_ + int64_t(definitions.size());
            if (signal >= SIGNAL_LIMIT) throw std::length_error("more than 2**24 signals");
            Key key = unpack_key(packed);
            definitions.push_back(key);
            batch_signal_ = int32_t(signal);
            for (int32_t r : table_.take_rows(p)) substitute(r, key, packed, int32_t(signal));
            flush_batch();
        }
        return definitions;
    }

    std::vector<std::vector<Term>> rows_;

  private:
    // Pairs with the signal being substituted get all their increments while its substitution
    // runs (its terms are created then and never again), so they are counted in a small table
    // and only those counted twice or more are kept: the pairs a new term forms with the rest of
    // its row are mostly unique, and keeping them all made the table too large to cache.
    void flush_batch() {
        batch_.each([this](PairInfo &b) {
            if (b.count < 2) return;
            PairInfo &p = table_.find(b.key);
            p.count = b.count;
            batch_.each_row(b, [&](int32_t r) { table_.add_row(p, r); });
            p.queued = b.count;
            queue_.push(b.count, b.key);
        });
        batch_.reset();
        batch_signal_ = -1;
    }

    void count_pair(int32_t r, const Term &t, const Term &u, int64_t delta) {
        uint64_t key = pair_key(t, u);
        if (batch_signal_ >= 0 && (t.signal == batch_signal_ || u.signal == batch_signal_)) {
            PairInfo &b = batch_.find(key);
            b.count += int32_t(delta);
            if (delta > 0) batch_.add_row(b, r);
            return;
        }
        if (delta < 0) {
            // a pair dropped at its batch's end was counted once at most: nothing to lower
            PairInfo *p = table_.find_existing(key);
            if (p) p->count += int32_t(delta);
            return;
        }
        PairInfo &p = table_.find(key);
        int32_t c = (p.count += int32_t(delta));
        if (delta > 0) {
            table_.add_row(p, r);
            // every pair counted twice or more keeps a queue entry at least as high as its count
            // (the selection is then the highest current count, ties to the smallest key)
            if (c >= 2 && queue_ready_ && c > p.queued) {
                queue_.push(c, key);
                p.queued = c;
            }
        }
    }

    void account(int32_t r, const Term &t, const Term *begin, const Term *end, int64_t delta) {
        constexpr ptrdiff_t AHEAD = 8;
        for (const Term *u = begin; u < end && u < begin + AHEAD; ++u) table_.prefetch(pair_key(t, *u));
        for (const Term *u = begin; u < end; ++u) {
            if (u + AHEAD < end) table_.prefetch(pair_key(t, u[AHEAD]));
            count_pair(r, t, *u, delta);
        }
    }

    void account(int32_t r, const Term &t, const std::vector<Term> &others, int64_t delta) {
        account(r, t, others.data(), others.data() + others.size(), delta);
    }

    // Replace every non-overlapping occurrence of the pair in row r by the new signal: find the
    // first term that has a partner, pair it with its earliest partner, and start again.
    void substitute(int32_t r, const Key &key, uint64_t packed, int32_t signal) {
        auto &row = rows_[r];
        while (true) {
            int64_t match_i = -1, match_j = -1;
            for (size_t i = 0; i < row.size() && match_i < 0; ++i) {
                const Term &t = row[i];
                Term partners[2];
                int n = 0;
                if (t.signal == key.a) partners[n++] = Term{key.s * t.sign, key.b, t.shift + key.d};
                if (t.signal == key.b) partners[n++] = Term{key.s * t.sign, key.a, t.shift - key.d};
                for (int p = 0; p < n; ++p) {
                    if (pair_key(t, partners[p]) != packed) continue;
                    for (size_t j = 0; j < row.size(); ++j) {
                        if (j != i && row[j] == partners[p]) {
                            if (match_j < 0 || int64_t(j) < match_j) match_j = int64_t(j);
                            break;
                        }
                    }
                }
                if (match_j >= 0) match_i = int64_t(i);
            }
            if (match_i < 0) return;
            const Term &lead = first_of(row[match_i], row[match_j]);
            Term created{lead.sign, signal, lead.shift};
            size_t hi = size_t(std::max(match_i, match_j)), lo = size_t(std::min(match_i, match_j));
            Term removed = row[hi];
            row.erase(row.begin() + hi);
            account(r, removed, row, -1);
            removed = row[lo];
            row.erase(row.begin() + lo);
            account(r, removed, row, -1);
            account(r, created, row, 1);
            row.push_back(created);
        }
    }

    PairTable table_, batch_;
    int32_t batch_signal_ = -1;
    CountQueue queue_;
    bool queue_ready_ = false;
    int64_t n_signals_;
};

PyObject *eliminate(PyObject *, PyObject *args) {
    Py_buffer terms_buf, offsets_buf;
    Py_ssize_t n_signals;
    int tie_break = 0;
    if (!PyArg_ParseTuple(args, "y*y*n|i", &terms_buf, &offsets_buf, &n_signals, &tie_break)) return nullptr;
    if (tie_break < 0 || tie_break > 4) {
        PyBuffer_Release(&terms_buf);
        PyBuffer_Release(&offsets_buf);
        PyErr_SetString(PyExc_ValueError, "tie_break must be 0, 1, 2, 3 or 4");
        return nullptr;
    }
    const int32_t *terms = static_cast<const int32_t *>(terms_buf.buf);
    const int64_t *offsets = static_cast<const int64_t *>(offsets_buf.buf);
    Py_ssize_t n_rows = offsets_buf.len / Py_ssize_t(sizeof(int64_t)) - 1;
    std::vector<std::vector<Term>> rows(n_rows > 0 ? size_t(n_rows) : 0);
    std::string error;
    for (Py_ssize_t r = 0; r < n_rows && error.empty(); ++r) {
        for (int64_t k = offsets[r]; k < offsets[r + 1]; ++k) {
            Term t{terms[3 * k], terms[3 * k + 1], terms[3 * k + 2]};
            if (t.signal < 0 || t.signal >= SIGNAL_LIMIT || t.shift <= -SHIFT_OFFSET / 2 ||
                t.shift >= SHIFT_OFFSET / 2) {
                error = "term out of range (signal < 2**24, |shift| < 1024)";
                break;
            }
            rows[r].push_back(t);
        }
    }
    PyBuffer_Release(&terms_buf);
    PyBuffer_Release(&offsets_buf);
    if (!error.empty()) {
        PyErr_SetString(PyExc_ValueError, error.c_str());
        return nullptr;
    }
    std::vector<Key> definitions;
    Eliminator e(std::move(rows), n_signals, tie_break);
    try {
        Py_BEGIN_ALLOW_THREADS
        definitions = e.run();
        Py_END_ALLOW_THREADS
    } catch (const std::exception &ex) {
        PyErr_SetString(PyExc_ValueError, ex.what());
        return nullptr;
    }
    std::vector<int32_t> defs_out;
    for (const Key &k : definitions) defs_out.insert(defs_out.end(), {k.a, k.b, k.d, k.s});
    std::vector<int32_t> terms_out;
    std::vector<int64_t> offsets_out{0};
    for (const auto &row : e.rows_) {
        for (const Term &t : row) terms_out.insert(terms_out.end(), {t.sign, t.signal, t.shift});
        offsets_out.push_back(int64_t(terms_out.size() / 3));
    }
    // PyBytes_FromStringAndSize, not Py_BuildValue("y#"): an empty vector's data() may be null
    PyObject *defs = PyBytes_FromStringAndSize(reinterpret_cast<const char *>(defs_out.data()),
                                               Py_ssize_t(defs_out.size() * sizeof(int32_t)));
    PyObject *terms_b = PyBytes_FromStringAndSize(reinterpret_cast<const char *>(terms_out.data()),
                                                  Py_ssize_t(terms_out.size() * sizeof(int32_t)));
    PyObject *offsets_b = PyBytes_FromStringAndSize(reinterpret_cast<const char *>(offsets_out.data()),
                                                    Py_ssize_t(offsets_out.size() * sizeof(int64_t)));
    if (!defs || !terms_b || !offsets_b) {
        Py_XDECREF(defs);
        Py_XDECREF(terms_b);
        Py_XDECREF(offsets_b);
        return nullptr;
    }
    return Py_BuildValue("(NNN)", defs, terms_b, offsets_b);
}

PyMethodDef methods[] = {
    {"eliminate", eliminate, METH_VARARGS,
     "eliminate(terms, offsets, n_signals) -> (definitions, terms, offsets); see cse.py."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cse", "Compiled core of hgq_hls.lowering.cse.", -1,
                      methods};

}  // namespace

PyMODINIT_FUNC PyInit__cse(void) { return PyModule_Create(&module); }
