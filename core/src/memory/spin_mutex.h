// SpinMutex: a small test-and-test-and-set lock for the memory engine's shards.
//
// A shard's critical sections are a hash lookup and a few pointer moves, far shorter than a
// futex round trip; an uncontended std::mutex lock/unlock costs two atomic read-modify-writes
// plus a call into libpthread, this lock one exchange and one store. Waiters spin politely
// (pause) for a short while, then yield the CPU, so a preempted holder on an oversubscribed
// machine costs little. Meets BasicLockable and Lockable (works with std::lock_guard).
//
// Thread safety: that is its purpose.
#pragma once

#include <atomic>
#include <thread>

namespace twat_cache::detail {

class SpinMutex {
  public:
    void lock() noexcept {
        while (m_locked.exchange(true, std::memory_order_acquire)) {
            // Wait on a plain load, so waiting does not bounce the cache line between cores.
            for (int spins = 0; m_locked.load(std::memory_order_relaxed); ++spins) {
                if (spins < kSpinsBeforeYield) {
                    relax();
                } else {
                    std::this_thread::yield();
                }
            }
        }
    }
    bool try_lock() noexcept {
        return !m_locked.load(std::memory_order_relaxed) &&
               !m_locked.exchange(true, std::memory_order_acquire);
    }
    void unlock() noexcept { m_locked.store(false, std::memory_order_release); }

  private:
    static constexpr int kSpinsBeforeYield = 64;
    static void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    std::atomic<bool> m_locked{false};
};

}  // namespace twat_cache::detail
