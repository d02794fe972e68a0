// Fork-join over chunks of one long loop on the calling thread and one shared helper thread.
//
// Why: one allocation over England's 33,755 LSOAs is a chain of passes of a few microseconds to a
// few hundred microseconds each (sums, element-wise steps, the bounded fit, rounding). Starting
// a thread costs tens of microseconds, so the passes share one long-lived helper instead, which
// spins for up to 2 ms between passes (as OpenMP runtimes do) and then sleeps.
//
// Results never depend on the threads: a loop is cut into chunks that depend only on its length,
// every chunk writes its own output (per-chunk partial results are combined by the caller in chunk
// order, or are exact integers), and which thread runs a chunk changes nothing. The calling thread
// claims chunks too, so a helper that is late (asleep, busy with another caller, or absent) only
// costs speed: the caller then runs every chunk itself.
//
// Only code inside a ParallelScope with threads > 1 uses the helper (the allocation engine opens
// one per call); anywhere else, and on the helper itself, parallel_chunks is a plain loop. Bodies
// must not throw: checks that raise errors stay in serial code.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define FAIRER_HAVE_PTHREAD_ATFORK 1
#endif
#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace fairer::detail {

namespace parallel {

inline void cpu_relax() {
#if defined(__SSE2__) || defined(_M_X64)
    _mm_pause();
#endif
}

// One parallel loop: chunks 0 .. count − 1. The calling thread takes chunks from the front and
// the helper from the back until they meet, so that from one pass to the next each thread mostly
// works on the same units, which are then still in its own cache.
struct Job {
    void (*run_chunk)(void* body, std::size_t chunk) = nullptr;
    void* body = nullptr;
    std::atomic<std::uint64_t> range{0};  // (first unclaimed chunk) << 32 | (one past the last)
    std::atomic<bool> helper_done{false};

    void set_count(std::size_t count) { range.store(static_cast<std::uint64_t>(count), std::memory_order_relaxed); }

    void run(bool from_back) {
        std::uint64_t r = range.load(std::memory_order_relaxed);
        for (;;) {
            const std::uint64_t front = r >> 32;
            const std::uint64_t back = r & 0xFFFFFFFFu;
            if (front >= back) return;
            const std::uint64_t claimed = from_back ? (front << 32) | (back - 1) : ((front + 1) << 32) | back;
            if (!range.compare_exchange_weak(r, claimed, std::memory_order_relaxed)) continue;
            run_chunk(body, static_cast<std::size_t>(from_back ? back - 1 : front));
            r = range.load(std::memory_order_relaxed);
        }
    }
};

// The helper thread. One caller at a time owns it (try_acquire); others run serially.
class Helper {
public:
    // The process's helper, started on first use; nullptr if no thread can be started.
    static Helper* instance() {
        Helper* h = current().load(std::memory_order_acquire);
        if (h != nullptr) return h;
        static std::mutex start;
        std::lock_guard<std::mutex> lock(start);
        h = current().load(std::memory_order_acquire);
        if (h != nullptr) return h;
        if (std::thread::hardware_concurrency() < 2) return nullptr;
        // Never destroyed: the detached thread may still be waiting when the process exits.
        h = new Helper;  // NOLINT(cppcoreguidelines-owning-memory)
        try {
            std::thread(&Helper::loop, h).detach();
        } catch (...) {
            return nullptr;  // leaks one idle object, once
        }
#if defined(FAIRER_HAVE_PTHREAD_ATFORK)
        // A forked child has no helper thread; it starts its own on first use.
        static const bool registered = [] {
            return pthread_atfork(nullptr, nullptr, [] { current().store(nullptr, std::memory_order_relaxed); }) == 0;
        }();
        (void)registered;
#endif
        current().store(h, std::memory_order_release);
        return h;
    }

    bool try_acquire() { return !owned_.exchange(true, std::memory_order_acquire); }
    void release() { owned_.store(false, std::memory_order_release); }

    // Offers job to the helper; the caller then runs job.run() itself and calls finish(job).
    void post(Job* job) {
        slot_.store(job, std::memory_order_seq_cst);
        if (sleeping_.load(std::memory_order_seq_cst)) {
            std::lock_guard<std::mutex> lock(mutex_);
            wake_.notify_one();
        }
    }

    // Wakes the helper if it sleeps, so that it is spinning by the time work is posted.
    void wake() {
        if (sleeping_.load(std::memory_order_relaxed)) {
            std::lock_guard<std::mutex> lock(mutex_);
            wake_.notify_one();
        }
    }

    // Withdraws job if the helper never took it, else waits until the helper has left it.
    void finish(Job* job) {
        Job* expected = job;
        if (slot_.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) return;
        while (!job->helper_done.load(std::memory_order_acquire)) cpu_relax();
    }

private:
    static std::atomic<Helper*>& current() {
        static std::atomic<Helper*> h{nullptr};
        return h;
    }

    Job* take() { return slot_.load(std::memory_order_relaxed) != nullptr ? slot_.exchange(nullptr, std::memory_order_acq_rel) : nullptr; }

    void loop() {
        helper_thread() = true;
        using clock = std::chrono::steady_clock;
        for (;;) {
            // Spin for a while after the last job (or a wake-up): the passes of one allocation
            // follow each other within microseconds, and waking a sleeping thread costs more.
            auto until = clock::now() + std::chrono::microseconds(kSpinMicroseconds);
            Job* job = take();
            while (job == nullptr) {
                for (int k = 0; k < 256 && job == nullptr; ++k) {
                    cpu_relax();
                    job = take();
                }
                if (job != nullptr || clock::now() < until) continue;
                {
                    std::unique_lock<std::mutex> lock(mutex_);
                    sleeping_.store(true, std::memory_order_seq_cst);
                    // post() stores the job before it reads sleeping_, so one of the two sees the other
                    if (slot_.load(std::memory_order_seq_cst) == nullptr) wake_.wait(lock);
                    sleeping_.store(false, std::memory_order_relaxed);
                }
                until = clock::now() + std::chrono::microseconds(kSpinMicroseconds);
                job = take();
            }
            job->run(true);
            job->helper_done.store(true, std::memory_order_release);  // job may be gone after this
        }
    }

public:
    static bool& helper_thread() {
        static thread_local bool on_helper = false;
        return on_helper;
    }

private:
    // 2 ms: long enough to stay awake between the allocations of a loop (scenarios, a notebook
    // cell re-run), short against the idle time it costs (libgomp spins up to about this long,
    // Intel's OpenMP runtime 200 ms by default).
    static constexpr int kSpinMicroseconds = 2000;
    std::atomic<Job*> slot_{nullptr};
    std::atomic<bool> owned_{false};
    std::atomic<bool> sleeping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
};

inline unsigned& scope_threads() {
    static thread_local unsigned threads = 1;
    return threads;
}

}  // namespace parallel

// The grain of element-wise passes: a few microseconds of work per chunk.
inline constexpr std::size_t kParallelGrain = 4096;

// Lets the parallel loops of the current thread use up to `threads` threads until it ends
// (0 = as many as the hardware has; the helper design uses at most 2). With the number of items
// the work will loop over, a sleeping helper is woken at once when they are enough to be shared:
// waking takes tens of microseconds, which the caller's first steps then hide.
class ParallelScope {
public:
    explicit ParallelScope(unsigned threads, std::size_t items = 0) : saved_(parallel::scope_threads()) {
        parallel::scope_threads() = threads == 0 ? std::thread::hardware_concurrency() : threads;
        if (parallel::scope_threads() > 1 && items >= 2 * kParallelGrain && !parallel::Helper::helper_thread())
            if (parallel::Helper* helper = parallel::Helper::instance()) helper->wake();
    }
    ~ParallelScope() { parallel::scope_threads() = saved_; }
    ParallelScope(const ParallelScope&) = delete;
    ParallelScope& operator=(const ParallelScope&) = delete;

private:
    unsigned saved_;
};

// Number of chunks for a loop of n items of at least `grain` items each (at most 64).
inline std::size_t chunk_count(std::size_t n, std::size_t grain) {
    const std::size_t c = (n + grain - 1) / grain;
    return c < 1 ? 1 : (c > 64 ? 64 : c);
}

// Item range [begin, end) of chunk c of count chunks over n items (boundaries rounded to 8 items).
inline std::pair<std::size_t, std::size_t> chunk_range(std::size_t n, std::size_t count, std::size_t c) {
    auto edge = [&](std::size_t k) {
        if (k >= count) return n;
        const std::size_t e = (n / count * k) & ~std::size_t{7};
        return e < n ? e : n;
    };
    return {edge(c), edge(c + 1)};
}

// Calls body(c) for c = 0 .. count − 1, on this thread and the helper when the scope allows.
template <class Body>
void parallel_chunks(std::size_t count, Body&& body) {
    parallel::Helper* helper = nullptr;
    if (count > 1 && parallel::scope_threads() > 1 && !parallel::Helper::helper_thread())
        helper = parallel::Helper::instance();
    if (helper == nullptr || !helper->try_acquire()) {
        for (std::size_t c = 0; c < count; ++c) body(c);
        return;
    }
    parallel::Job job;
    job.body = static_cast<void*>(&body);
    job.run_chunk = [](void* b, std::size_t c) { (*static_cast<std::remove_reference_t<Body>*>(b))(c); };
    job.set_count(count);
    helper->post(&job);
    job.run(false);
    helper->finish(&job);
    helper->release();
}

// Calls body(begin, end) over [0, n) in chunks of about `grain` items, as parallel_chunks does.
template <class Body>
void parallel_for(std::size_t n, std::size_t grain, Body&& body) {
    const std::size_t count = chunk_count(n, grain);
    parallel_chunks(count, [&](std::size_t c) {
        const auto [begin, end] = chunk_range(n, count, c);
        body(begin, end);
    });
}

}  // namespace fairer::detail
