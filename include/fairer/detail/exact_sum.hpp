// An exact, order-independent sum of doubles (a "superaccumulator").
//
// Why: unit-level statistics are fed in chunks of any size and partial results are merged in any
// order; plain floating-point sums would then depend on the chunking. Every double is an integer
// multiple of 2^-1074, so the sum is kept as a wide fixed-point integer split into 32-bit digits
// held in 64-bit slots (the idea of Kulisch's long accumulator and of R. M. Neal, "Fast exact
// summation using small and large superaccumulators", arXiv:1505.05571, 2015). Adding is integer
// arithmetic, hence associative and commutative: the state after any sequence of adds and merges
// is the same exact integer, and value() is a deterministic function of it.
//
// Only the digits that have been touched are stored (a window that grows on demand), so a sum of
// values of similar magnitude costs a few 64-bit words rather than the full 2100-bit range; up to
// kInline digits live inside the object, so that many sums side by side (one per bin) stay
// contiguous in memory instead of each pointing to its own heap block.
#pragma once

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <vector>

namespace fairer::detail {

class ExactSum {
public:
    void add(double x) {
        std::uint64_t bits;
        std::memcpy(&bits, &x, sizeof bits);
        const auto biased = static_cast<int>((bits >> 52) & 0x7ffu);
        std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
        const bool negative = (bits >> 63) != 0;
        if (biased == 0x7ff) {
            if (mantissa != 0) {
                nan_ = true;
            } else if (negative) {
                neg_inf_ = true;
            } else {
                pos_inf_ = true;
            }
            return;
        }
        if (mantissa == 0 && biased == 0) return;
        // x = mantissa * 2^(shift - 1074) with shift >= 0
        int shift = biased - 1;
        if (biased == 0) {
            shift = 0;
        } else {
            mantissa |= std::uint64_t{1} << 52;
        }
        const int digit = shift / 32;
        const int offset = shift % 32;
        const std::uint64_t low = (mantissa & kMask) << offset;   // < 2^63
        const std::uint64_t high = (mantissa >> 32) << offset;    // < 2^52
        const auto d0 = static_cast<std::int64_t>(low & kMask);
        const auto d1 = static_cast<std::int64_t>((low >> 32) + (high & kMask));
        const auto d2 = static_cast<std::int64_t>(high >> 32);
        ensure(digit, digit + 2);
        std::int64_t* p = data() + (digit - first_);
        if (negative) {
            p[0] -= d0;
            p[1] -= d1;
            p[2] -= d2;
        } else {
            p[0] += d0;
            p[1] += d1;
            p[2] += d2;
        }
        // each add moves a slot by less than 2^34: normalise long before 2^63 can be reached
        if (++pending_ >= kNormaliseEvery) normalise();
    }

    void merge(const ExactSum& other) {
        nan_ = nan_ || other.nan_;
        pos_inf_ = pos_inf_ || other.pos_inf_;
        neg_inf_ = neg_inf_ || other.neg_inf_;
        if (other.size_ == 0) return;
        ensure(other.first_, other.first_ + other.size_ - 1);
        std::int64_t* mine = data() + (other.first_ - first_);
        const std::int64_t* theirs = other.data();
        for (int k = 0; k < other.size_; ++k) mine[k] += theirs[k];
        pending_ += other.pending_ + 1;
        if (pending_ >= kNormaliseEvery) normalise();
    }

    // The sum rounded to a double (within one unit in the last place of the exact sum; the same
    // double for every order of adds and merges). NaN if a NaN or both infinities were added.
    double value() const {
        if (nan_ || (pos_inf_ && neg_inf_)) return std::numeric_limits<double>::quiet_NaN();
        if (pos_inf_) return std::numeric_limits<double>::infinity();
        if (neg_inf_) return -std::numeric_limits<double>::infinity();
        ExactSum c = *this;
        c.normalise();
        std::int64_t* d = c.data();
        const bool negative = c.size_ > 0 && d[c.size_ - 1] < 0;
        if (negative) {
            for (int k = 0; k < c.size_; ++k) d[k] = -d[k];
            c.normalise();
            d = c.data();
        }
        int top = c.size_ - 1;
        while (top >= 0 && d[top] == 0) --top;
        if (top < 0) return 0.0;
        double r = 0.0;
        // three 32-bit digits carry more than the 53 bits a double keeps; the digits below
        // them can move the result by at most one unit in the last place
        for (int k = (top >= 2 ? top - 2 : 0); k <= top; ++k)
            r += std::ldexp(static_cast<double>(d[k]), 32 * (c.first_ + k) - 1074);
        return negative ? -r : r;
    }

    bool empty() const noexcept { return size_ == 0 && !nan_ && !pos_inf_ && !neg_inf_; }

private:
    static constexpr std::uint64_t kMask = 0xffffffffu;
    static constexpr int kNormaliseEvery = 1 << 28;

    static constexpr int kInline = 5;

    std::int64_t* data() noexcept { return size_ > kInline ? heap_.data() : inline_.data(); }
    const std::int64_t* data() const noexcept { return size_ > kInline ? heap_.data() : inline_.data(); }

    // Make digits lo..hi addressable, with one spare digit on top for carries.
    void ensure(int lo, int hi) {
        ++hi;
        if (size_ == 0) {
            first_ = lo;
            resize_to(lo, hi);
            return;
        }
        const int last = first_ + size_ - 1;
        if (lo >= first_ && hi <= last) return;
        resize_to(lo < first_ ? lo : first_, hi > last ? hi : last);
    }

    void resize_to(int new_first, int new_last) {
        const int n = new_last - new_first + 1;
        std::vector<std::int64_t> grown(static_cast<std::size_t>(n), 0);
        const std::int64_t* old = data();
        for (int k = 0; k < size_; ++k) grown[static_cast<std::size_t>(first_ - new_first + k)] = old[k];
        if (n > kInline) {
            heap_.swap(grown);
        } else {
            std::copy(grown.begin(), grown.end(), inline_.begin());
        }
        first_ = new_first;
        size_ = n;
    }

    // Carry so that every digit but the top one lies in [0, 2^32): a unique representation.
    void normalise() {
        pending_ = 0;
        if (size_ == 0) return;
        std::int64_t* d = data();
        for (int k = 0; k + 1 < size_; ++k) {
            const std::int64_t carry = d[k] >> 32;  // floor division by 2^32
            d[k] -= carry * (std::int64_t{1} << 32);
            d[k + 1] += carry;
        }
        // a top digit beyond 32 bits gets a digit above it, so that it cannot overflow later
        const std::int64_t top = d[size_ - 1];
        if (top >= (std::int64_t{1} << 32) || top < -(std::int64_t{1} << 32)) {
            const std::int64_t carry = top >> 32;
            d[size_ - 1] = top - carry * (std::int64_t{1} << 32);
            resize_to(first_, first_ + size_);
            data()[size_ - 1] = carry;
        }
    }

    std::array<std::int64_t, kInline> inline_{};
    std::vector<std::int64_t> heap_;
    int size_ = 0;
    int first_ = 0;
    int pending_ = 0;
    bool nan_ = false;
    bool pos_inf_ = false;
    bool neg_inf_ = false;
};

}  // namespace fairer::detail
