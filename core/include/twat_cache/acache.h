// acache: asynchronous memoization with single flight.
//
//     auto slow = twat_cache::acache({.name = "tiles"}, renderTile);      // memory engine
//     std::shared_future<Tile> f = (*slow)(x, y, zoom);                   // returns at once
//     auto tile = twat_cache::waitFor(f, std::chrono::seconds(2));        // Result<Tile>
//
//     auto shared = twat_cache::acache(*twat_cache::bcache({.name = "tiles"}, renderTile));
//
// Guarantees:
//   * Single flight: concurrent calls with the same key share one computation; every caller
//     gets the same result (the same shared_future).
//   * A caller that stops waiting (waitFor's timeout, or dropping its future) changes
//     nothing for the others: the computation runs to its end and its value is cached.
//   * An exception of the function reaches every waiter of that flight and is not cached;
//     the next call computes again.
//   * Cache lookups, the function and stores all run on the executor, never on the caller's
//     thread. The default executor is a process-wide pool of max(2, hardware threads)
//     workers; pass your own (e.g. one posting to your event loop or thread pool).
//   * Works over every engine: acache(memoized) wraps any Memoized (mcache, bcache,
//     fcache, ucache, memoizeWith).
//
// Thread safety: an AsyncMemoized and its copies may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "twat_cache/export.h"
#include "twat_cache/key.h"
#include "twat_cache/memoize.h"

namespace twat_cache {

// Runs a task somewhere, later. Must run every task it accepts exactly once.
using Executor = std::function<void(std::function<void()>)>;

// The process-wide default pool (created on first use, never destroyed).
TWAT_CACHE_EXPORT Executor defaultExecutor();

// Waits at most `timeout` for `future`. Timeout when it is not ready: the computation goes on
// for the other waiters and the cache. The function's exception is rethrown, as get() would.
template <class R>
Result<R> waitFor(const std::shared_future<R>& future, std::chrono::milliseconds timeout) {
    if (future.wait_for(timeout) != std::future_status::ready) {
        return Status::timeout("no result within " + std::to_string(timeout.count()) + " ms");
    }
    return future.get();
}

namespace detail {

template <class F, class Sig>
class AsyncImpl;

template <class F, class R, class... A>
class AsyncImpl<F, R(A...)> {
  public:
    AsyncImpl(Memoized<F> sync, Executor executor)
        : m_state(std::make_shared<State>(std::move(sync), std::move(executor))) {}

    // The result of fn(args...), from the cache or one shared computation.
    std::shared_future<R> operator()(const A&... args) const {
        const Key key = makeKey(m_state->sync.name(), args...);
        std::shared_ptr<std::promise<R>> promise;
        std::shared_future<R> future;
        {
            std::lock_guard lock(m_state->mutex);
            auto it = m_state->inflight.find(key);
            if (it != m_state->inflight.end()) return it->second;
            promise = std::make_shared<std::promise<R>>();
            future = promise->get_future().share();
            m_state->inflight.emplace(key, future);
        }
        auto task = [state = m_state, promise, key, tuple = std::make_tuple(args...)]() {
            std::optional<R> value;
            std::exception_ptr error;
            try {
                value.emplace(std::apply(state->sync, tuple));
            } catch (...) {
                error = std::current_exception();
            }
            // Leave the in-flight table before fulfilling the promise: a call that comes after
            // this flight ended must start its own (a cache hit, or a fresh computation after
            // an exception), never join a finished flight.
            {
                std::lock_guard lock(state->mutex);
                state->inflight.erase(key);
            }
            if (error) {
                promise->set_exception(error);
            } else {
                promise->set_value(std::move(*value));
            }
        };
        try {
            m_state->executor(std::move(task));
        } catch (...) {
            // The executor refused the task: fail this flight rather than leave it hanging.
            std::lock_guard lock(m_state->mutex);
            m_state->inflight.erase(key);
            promise->set_exception(std::current_exception());
        }
        return future;
    }

    // Calls in flight now (for tests and monitoring).
    std::size_t inflight() const {
        std::lock_guard lock(m_state->mutex);
        return m_state->inflight.size();
    }
    const Memoized<F>& sync() const { return m_state->sync; }
    Stats stats() const { return m_state->sync.stats(); }
    Status clear() const { return m_state->sync.clear(); }

  private:
    struct State {
        State(Memoized<F> s, Executor e) : sync(std::move(s)), executor(std::move(e)) {}
        Memoized<F> sync;
        Executor executor;
        mutable std::mutex mutex;
        std::unordered_map<Key, std::shared_future<R>, KeyHash> inflight;  // guarded by mutex
    };
    std::shared_ptr<State> m_state;
};

}  // namespace detail

// An asynchronous memoized callable; see the file comment.
template <class F>
class AsyncMemoized : public detail::AsyncImpl<F, detail::SignatureOf<F>> {
  public:
    AsyncMemoized(Memoized<F> sync, Executor executor)
        : detail::AsyncImpl<F, detail::SignatureOf<F>>(std::move(sync), std::move(executor)) {}
};

// Wraps any memoized callable. An empty executor means defaultExecutor().
template <class F>
AsyncMemoized<F> acache(Memoized<F> sync, Executor executor = {}) {
    if (!executor) executor = defaultExecutor();
    return AsyncMemoized<F>(std::move(sync), std::move(executor));
}

// A memory cache (as mcache) made asynchronous.
template <class... Target>
Result<AsyncMemoized<detail::CallableOf<Target...>>> acache(CacheConfig config,
                                                            Target&&... target) {
    if (config.name.empty()) config.name = detail::nextCacheName("acache");
    auto sync = mcache(std::move(config), std::forward<Target>(target)...);
    if (!sync.ok()) return sync.status();
    return acache(std::move(*sync));
}

}  // namespace twat_cache
