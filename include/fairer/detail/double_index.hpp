// A flat open-addressing hash index from distinct double values to dense positions 0, 1, 2, ...
// in first-seen order. Used for the exact per-value bins of the unit-level statistics, where a
// node-based std::unordered_map spends most of the time chasing pointers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace fairer::detail {

class DoubleIndex {
public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    // The position of key, or npos. -0.0 and 0.0 are one key.
    std::size_t find(double key) const noexcept {
        if (slots_.empty()) return npos;
        const std::uint64_t b = bits(key);
        for (std::size_t s = slot_of(b);; s = (s + 1) & mask_) {
            const std::uint32_t v = slots_[s];
            if (v == 0) return npos;
            if (key_bits_[v - 1] == b) return v - 1;
        }
    }

    // The position of key, inserting it at the end when new.
    std::size_t insert(double key) {
        if ((keys_.size() + 1) * 2 > slots_.size()) grow();
        const std::uint64_t b = bits(key);
        for (std::size_t s = slot_of(b);; s = (s + 1) & mask_) {
            const std::uint32_t v = slots_[s];
            if (v == 0) {
                keys_.push_back(key == 0.0 ? 0.0 : key);
                key_bits_.push_back(b);
                slots_[s] = static_cast<std::uint32_t>(keys_.size());
                return keys_.size() - 1;
            }
            if (key_bits_[v - 1] == b) return v - 1;
        }
    }

    std::size_t size() const noexcept { return keys_.size(); }
    // The keys in first-seen order (key i has position i).
    const std::vector<double>& keys() const noexcept { return keys_; }

private:
    static std::uint64_t bits(double key) noexcept {
        if (key == 0.0) key = 0.0;
        std::uint64_t b;
        std::memcpy(&b, &key, sizeof b);
        return b;
    }
    std::size_t slot_of(std::uint64_t b) const noexcept {
        // Fibonacci hashing spreads integer-valued doubles, whose low mantissa bits are all zero
        return static_cast<std::size_t>(((b ^ (b >> 32)) * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    void grow() {
        const std::size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
        slots_.assign(capacity, 0);
        mask_ = capacity - 1;
        shift_ = 64;
        for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
        for (std::size_t i = 0; i < key_bits_.size(); ++i) {
            std::size_t s = slot_of(key_bits_[i]);
            while (slots_[s] != 0) s = (s + 1) & mask_;
            slots_[s] = static_cast<std::uint32_t>(i + 1);
        }
    }

    std::vector<std::uint32_t> slots_;  // 0 = empty, else position + 1
    std::vector<double> keys_;
    std::vector<std::uint64_t> key_bits_;
    std::size_t mask_ = 0;
    int shift_ = 64;
};

}  // namespace fairer::detail
