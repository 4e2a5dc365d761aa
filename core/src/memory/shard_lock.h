// ShardLock: the memory engine's per-shard reader/writer lock, with reader slots striped by
// thread so that readers never write a cache line another core is reading or writing.
//
// A shared lock usually keeps one reader count: every reader increments and decrements it,
// so two threads reading the same shard bounce its cache line between their cores, which
// costs more than the lookup it protects. Here each thread announces itself in one of
// kStripes reader slots (a thread picks its slot once, round robin), each slot on its own
// cache line; a writer raises one flag and waits until every slot is empty. Readers thus
// write only their own slot (one atomic increment and one decrement per lock), and read the
// writer flag, which changes only when the shard is written. Two threads that share a slot
// (more threads than stripes) are still correct, only slower.
//
// Each slot also counts the lookups of the readers that use it, in the same word as its
// reader count: announcing a lookup and counting it is one atomic add. Misses are counted
// apart (a miss is followed by computing a value, which costs far more), and hits are
// lookups minus misses, summed over the slots. A snapshot taken while readers work may count
// a lookup as a hit before its miss is counted; once they are done the sums are exact.
//
// Writers prefer themselves: a reader that sees the flag raised steps back and waits, so a
// stream of readers cannot starve a store. Waiters spin politely, then yield the CPU. Not
// re-entrant: a thread holding a shard's lock, shared or not, must not lock it again (a
// waiting writer would make a nested reader wait for itself).
//
// Memory order: a reader increments its slot and then reads the flag; a writer sets the flag
// and then reads the slots; all four are sequentially consistent, so at least one side sees
// the other (the Dekker pattern). A reader's release decrement pairs with the writer's
// acquire load of the slot; the writer's release of the flag pairs with the reader's load.
//
// Thread safety: that is its purpose. Meets BasicLockable and SharedLockable through
// lock()/unlock() and lock_shared()/unlock_shared() (works with std::lock_guard; the
// ReadGuard below also names the slot it used).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>

namespace twat_cache::detail {

class ShardLock {
  public:
    // Reader slots per shard (a power of two). More than the cores of most machines that run
    // this; a writer reads every slot, which costs a store little next to its allocation.
    static constexpr std::size_t kStripes = 8;

    // A slot's word: the readers inside (low kReaderBits bits) and the lookups counted.
    static constexpr int kReaderBits = 16;
    static constexpr std::uint64_t kReader = 1;
    static constexpr std::uint64_t kLookup = std::uint64_t{1} << kReaderBits;
    static constexpr std::uint64_t kReaderMask = kLookup - 1;
    // Lookups move from the word to `drained` in chunks of this many before the word's
    // 48-bit field could overflow (2^47 lookups: days of a core doing nothing else).
    static constexpr std::uint64_t kDrainChunk = std::uint64_t{1} << 47;

    struct alignas(64) Slot {
        std::atomic<std::uint64_t> word{0};
        std::atomic<std::uint64_t> misses{0};
        std::atomic<std::uint64_t> drained{0};
        std::atomic<std::uint64_t> saved{0};  // Stats::saved_ns of this slot's hits
    };

    // The slot of the calling thread.
    Slot& mySlot() noexcept { return m_slots[threadStripe()]; }

    // `lookup`: count this lock as a lookup (a get), not an inspection (size, scan, ...).
    void lock_shared(Slot& slot, bool lookup) noexcept {
        const std::uint64_t add = kReader + (lookup ? kLookup : 0);
        for (;;) {
            const std::uint64_t before = slot.word.fetch_add(add, std::memory_order_seq_cst);
            if (!m_writer.load(std::memory_order_seq_cst)) {
                if (before >= kDrainChunk * kLookup) [[unlikely]]
                    drain(slot);
                return;
            }
            slot.word.fetch_sub(add, std::memory_order_release);
            for (int spins = 0; m_writer.load(std::memory_order_relaxed); ++spins) pause(spins);
        }
    }
    void unlock_shared(Slot& slot) noexcept {
        slot.word.fetch_sub(kReader, std::memory_order_release);
    }
    void lock_shared() noexcept { lock_shared(mySlot(), false); }
    void unlock_shared() noexcept { unlock_shared(mySlot()); }

    void lock() noexcept {
        while (m_writer.exchange(true, std::memory_order_seq_cst)) {
            for (int spins = 0; m_writer.load(std::memory_order_relaxed); ++spins) pause(spins);
        }
        for (Slot& s : m_slots) {
            for (int spins = 0; (s.word.load(std::memory_order_seq_cst) & kReaderMask) != 0;
                 ++spins) {
                pause(spins);
            }
        }
    }
    void unlock() noexcept { m_writer.store(false, std::memory_order_release); }

    // Sums of the slots' counters. Relaxed: a snapshot taken while readers count.
    std::uint64_t lookups() const noexcept {
        std::uint64_t n = 0;
        for (const Slot& s : m_slots) {
            n += (s.word.load(std::memory_order_relaxed) >> kReaderBits) +
                 s.drained.load(std::memory_order_relaxed);
        }
        return n;
    }
    std::uint64_t misses() const noexcept {
        std::uint64_t n = 0;
        for (const Slot& s : m_slots) n += s.misses.load(std::memory_order_relaxed);
        return n;
    }
    std::uint64_t saved() const noexcept {
        std::uint64_t n = 0;
        for (const Slot& s : m_slots) n += s.saved.load(std::memory_order_relaxed);
        return n;
    }

  private:
    static constexpr std::size_t kNoStripe = ~std::size_t{0};
    static std::size_t nextStripe() noexcept;  // round robin over the stripes
    static std::size_t threadStripe() noexcept {
        // Constant-initialized (no guard check on each access) and initial-exec: a plain
        // TLS load, no __tls_get_addr call, although this code lives in a shared library.
#if defined(__GNUC__)
        [[gnu::tls_model("initial-exec")]]
#endif
        static thread_local std::size_t stripe = kNoStripe;
        if (stripe == kNoStripe) [[unlikely]]
            stripe = nextStripe();
        return stripe;
    }
    // Moves kDrainChunk lookups from the word to `drained`; only one of several readers that
    // see the word past the mark does it (the compare-exchange decides).
    static void drain(Slot& slot) noexcept {
        std::uint64_t w = slot.word.load(std::memory_order_relaxed);
        while (w >= kDrainChunk * kLookup) {
            if (slot.word.compare_exchange_weak(w, w - kDrainChunk * kLookup,
                                                std::memory_order_relaxed)) {
                slot.drained.fetch_add(kDrainChunk, std::memory_order_relaxed);
                return;
            }
        }
    }
    static void pause(int spins) noexcept {
        if (spins < kSpinsBeforeYield) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#elif defined(__aarch64__)
            asm volatile("yield");
#endif
        } else {
            std::this_thread::yield();
        }
    }
    static constexpr int kSpinsBeforeYield = 64;

    alignas(64) std::atomic<bool> m_writer{false};
    Slot m_slots[kStripes];
};

// Holds a shard's shared lock for a scope and knows the slot it announced itself in.
// `lookup`: the lock counts a lookup; call countMiss() if it turns out a miss.
class ReadGuard {
  public:
    explicit ReadGuard(ShardLock& lock, bool lookup = false) noexcept
        : m_lock(lock), m_slot(lock.mySlot()) {
        m_lock.lock_shared(m_slot, lookup);
    }
    ~ReadGuard() { m_lock.unlock_shared(m_slot); }
    ReadGuard(const ReadGuard&) = delete;
    ReadGuard& operator=(const ReadGuard&) = delete;

    void countMiss() noexcept { m_slot.misses.fetch_add(1, std::memory_order_relaxed); }
    // Adds a hit entry's compute time to the slot's saved time. The line is the reader's own
    // (already written by the lock): the add costs a few nanoseconds (time_saved.md).
    void countSaved(std::uint64_t ns) noexcept {
        m_slot.saved.fetch_add(ns, std::memory_order_relaxed);
    }

  private:
    ShardLock& m_lock;
    ShardLock::Slot& m_slot;
};

}  // namespace twat_cache::detail
