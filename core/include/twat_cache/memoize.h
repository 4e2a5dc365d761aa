// Memoization: wrap a function so that equal calls are answered from a cache.
//
//     auto fib = twat_cache::mcache({.name = "fib", .maxsize = 1000}, slowFib);
//     if (!fib) { /* fib.status() says why (e.g. a malformed TWAT_CACHE_* variable) */ }
//     long v = (*fib)(42);          // computes, stores
//     long w = (*fib)(42);          // answered from the cache
//     fib->stats().hits;            // 1
//
// What can be wrapped: free functions, lambdas and function objects with one non-template
// operator(), and member functions: mcache(cfg, &C::method, &object) binds one object (its
// identity is not part of the key: give each object its own cache); mcache(cfg, &C::method)
// (const methods only) takes the object as the first call argument and keys it through
// Codec<C>. Every argument type needs a Codec (codec.h). The wrapper's operator() takes
// `const Args&...` of the function's decayed parameter types and returns R by value.
//
// Factories (each returns Result<Memoized<...>>; configuration errors come back as errors):
//   * mcache(config, target...)                 memory engine, typed fast path: the value is
//     kept as a C++ object (no encoding), so R needs no Codec, only a copy constructor.
//   * memoizeWith(kind, config, target...)      any engine through openEngine(); values are
//     stored as Codec bytes, so R needs Codec encode and decode and a default constructor.
//   * bcache (= sqlite) and fcache (= files)    memoizeWith with a persistent engine.
// Persistent engines need a stable, non-empty config.name. An unnamed memory cache gets the
// name "mcache#<n>" (memoizeWith: "memory#<n>"), n counting the caches of this process; such
// a cache is private to its wrapper.
//
// Correctness rules:
//   * The user function's exception propagates unchanged; nothing is cached, and the function
//     ran exactly once for that call.
//   * A cache error never yields a wrong value: on a failing get/set the function's own value
//     is returned; the engine has counted the failure in Stats::errors (stats.h: each failure
//     is counted once, by whoever detects it). A stored value of a foreign type tag is a
//     miss; one of our tag that does not decode is a miss and an error (only this layer can
//     see it). Either entry is erased.
//   * Two threads missing the same key at once both call the function (no single flight).
//
// Time saved: each miss is timed with the config's Clock (steadyNs: the steady clock, or an
// injected ManualClock) around the function's call only, and the duration is stored with the
// entry (Record::compute_ns). Stats::compute_ns then sums the compute times of the misses
// stored and Stats::saved_ns the compute times of the entries that answered hits (stats.h).
//
// Thread safety: a Memoized and its copies (which share one cache) may be called from many
// threads at once; the wrapped callable is then called concurrently too. Memoized is cheap
// to copy; the cache lives until the last copy is destroyed, and is listed in the
// CacheRegistry (registry.h) meanwhile.
#pragma once

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "twat_cache/codec.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/key.h"
#include "twat_cache/memory_engine.h"
#include "twat_cache/registry.h"
#include "twat_cache/stats.h"
#include "twat_cache/status.h"

namespace twat_cache {

// A value type that byte engines can store: encodable, decodable, default-constructible.
template <class T>
concept ByteCodable = Encodable<T> && Decodable<T> && std::default_initializable<T>;

namespace detail {

// ---- call signatures ------------------------------------------------------------------------

// CallSignature<F>::Type is R(Args...) with decayed parameter and result types.
template <class F, class = void>
struct CallSignature {
    static constexpr bool kKnown = false;
};
template <class R, class... A>
struct CallSignature<R(A...)> {
    static constexpr bool kKnown = true;
    using Result = std::decay_t<R>;
    using Type = Result(std::decay_t<A>...);
};
template <class R, class... A>
struct CallSignature<R(A...) noexcept> : CallSignature<R(A...)> {};
template <class R, class... A>
struct CallSignature<R (*)(A...)> : CallSignature<R(A...)> {};
template <class R, class... A>
struct CallSignature<R (*)(A...) noexcept> : CallSignature<R(A...)> {};
template <class C, class R, class... A>
struct CallSignature<R (C::*)(A...)> : CallSignature<R(A...)> {};
template <class C, class R, class... A>
struct CallSignature<R (C::*)(A...) const> : CallSignature<R(A...)> {};
template <class C, class R, class... A>
struct CallSignature<R (C::*)(A...) noexcept> : CallSignature<R(A...)> {};
template <class C, class R, class... A>
struct CallSignature<R (C::*)(A...) const noexcept> : CallSignature<R(A...)> {};
// Lambdas and function objects: the signature of their (single, non-template) operator().
template <class F>
struct CallSignature<F, std::void_t<decltype(&F::operator())>>
    : CallSignature<decltype(&F::operator())> {};

// ---- member functions -----------------------------------------------------------------------

template <class M>
struct MethodTraits;
template <class C, class R, class... A>
struct MethodTraits<R (C::*)(A...)> {
    using Class = C;
    static constexpr bool kConst = false;
};
template <class C, class R, class... A>
struct MethodTraits<R (C::*)(A...) noexcept> : MethodTraits<R (C::*)(A...)> {};
template <class C, class R, class... A>
struct MethodTraits<R (C::*)(A...) const> {
    using Class = C;
    static constexpr bool kConst = true;
};
template <class C, class R, class... A>
struct MethodTraits<R (C::*)(A...) const noexcept> : MethodTraits<R (C::*)(A...) const> {};

// A member function bound to one object: called like the method, on that object.
template <class M>
struct BoundMethod {
    using Object =
        std::conditional_t<MethodTraits<M>::kConst, const typename MethodTraits<M>::Class,
                           typename MethodTraits<M>::Class>;
    M method;
    Object* object;
    template <class... Ts>
    decltype(auto) operator()(Ts&&... args) const {
        return (object->*method)(std::forward<Ts>(args)...);
    }
};
template <class M>
struct CallSignature<BoundMethod<M>> : CallSignature<M> {};

// A const member function taking its object as the first argument (keyed through its Codec).
template <class M>
struct UnboundMethod;
template <class C, class R, class... A>
struct UnboundMethod<R (C::*)(A...) const> {
    R (C::*method)(A...) const;
    template <class... Ts>
    decltype(auto) operator()(const C& object, Ts&&... args) const {
        return (object.*method)(std::forward<Ts>(args)...);
    }
};
template <class C, class R, class... A>
struct UnboundMethod<R (C::*)(A...) const noexcept> : UnboundMethod<R (C::*)(A...) const> {};
template <class C, class R, class... A>
struct CallSignature<UnboundMethod<R (C::*)(A...) const>> {
    static constexpr bool kKnown = true;
    using Result = std::decay_t<R>;
    using Type = Result(C, std::decay_t<A>...);
};
template <class C, class R, class... A>
struct CallSignature<UnboundMethod<R (C::*)(A...) const noexcept>>
    : CallSignature<UnboundMethod<R (C::*)(A...) const>> {};

// What a factory's target arguments turn into: (fn), (&C::method) or (&C::method, &object).
template <class F>
auto makeCallable(F&& fn) {
    using D = std::decay_t<F>;
    if constexpr (std::is_member_function_pointer_v<D>) {
        static_assert(MethodTraits<D>::kConst,
                      "mcache(cfg, &C::method) needs a const method; bind an object instead: "
                      "mcache(cfg, &C::method, &object)");
        return UnboundMethod<D>{fn};
    } else {
        return D(std::forward<F>(fn));
    }
}
template <class M, class O>
requires std::is_member_function_pointer_v<M>
auto makeCallable(M method, O* object) {
    return BoundMethod<M>{method, object};
}
template <class... T>
using CallableOf = decltype(makeCallable(std::declval<T>()...));

// ---- shared state -----------------------------------------------------------------------------

// Estimated bytes of a value kept as an object (for max_bytes).
template <class R>
std::size_t approxBytes(const R& value) {
    if constexpr (std::is_same_v<R, std::string>) {
        return sizeof(R) + value.capacity();
    } else if constexpr (requires {
                             value.data();
                             value.size();
                             typename R::value_type;
                         }) {
        return sizeof(R) + value.size() * sizeof(typename R::value_type);
    } else {
        return sizeof(R);
    }
}

template <class R>
void copyOutInto(const void* object, void* context) {
    static_cast<std::optional<R>*>(context)->emplace(*static_cast<const R*>(object));
}

// The part of a memoized cache that does not depend on the function.
class MemoCore : public RegisteredCache {
  public:
    MemoCore() = default;
    MemoCore(const MemoCore&) = delete;
    MemoCore& operator=(const MemoCore&) = delete;
    ~MemoCore() override { CacheRegistry::instance().remove(this); }

    const std::string& cacheName() const override { return name; }
    std::string_view cacheKind() const override { return engine->kind(); }
    // The engine's counters, corrected by what only the wrapper sees: engine hits that held a
    // foreign or undecodable value (misses for the caller), and undecodable values (errors).
    // Engine failures are already in the engine's own errors: never added here (stats.h).
    Stats cacheStats() override {
        Stats s = engine->stats();
        const std::uint64_t moved = std::min(rejected.load(std::memory_order_relaxed), s.hits);
        s.hits -= moved;
        s.misses += moved;
        s.errors += undecodable.load(std::memory_order_relaxed);
        s.saved_ns -= std::min(rejectedSavedNs.load(std::memory_order_relaxed), s.saved_ns);
        return s;
    }
    Status cacheClear() override { return engine->clear(); }

    std::string name;
    std::uint64_t tag = 0;  // type tag of the result type
    std::unique_ptr<Engine> engine;
    MemoryEngine* memory = nullptr;                 // set when the typed fast path is used
    std::atomic<std::uint64_t> undecodable{0};      // our type tag, but the Codec refused the bytes
    std::atomic<std::uint64_t> rejected{0};         // engine hits that were misses for the caller
    std::atomic<std::uint64_t> rejectedSavedNs{0};  // what those hits added to saved_ns
    std::shared_ptr<Clock> clock;                   // times the misses (steadyNs)
};

// Calls fn(args...) and writes how long it took, by `clock`'s steady time, to *elapsedNs.
template <class F, class... A>
auto timedCall(const Clock& clock, std::uint64_t* elapsedNs, F& fn, const A&... args) {
    const std::int64_t start = clock.steadyNs();
    auto value = std::invoke(fn, args...);
    const std::int64_t end = clock.steadyNs();
    *elapsedNs = end > start ? static_cast<std::uint64_t>(end - start) : 0;
    return value;
}

template <class F>
class MemoState final : public MemoCore {
  public:
    explicit MemoState(F f) : fn(std::move(f)) {}
    F fn;
};

template <class F, class Sig>
class MemoizedImpl;

template <class F, class R, class... A>
class MemoizedImpl<F, R(A...)> {
  public:
    using result_type = R;

    // The cached value of fn(args...), computing and storing it on a miss.
    R operator()(const A&... args) const {
        MemoState<F>& st = *m_state;
        const Key key = makeKey(st.name, args...);
        if (st.memory != nullptr) {
            std::optional<R> out;
            if (st.memory->getObject(key, st.tag, &copyOutInto<R>, &out)) return std::move(*out);
            std::uint64_t computeNs = 0;
            R value = timedCall(*st.clock, &computeNs, st.fn, args...);
            // A refused store is counted by the engine; the caller gets its value regardless.
            (void)st.memory->setObject(key, st.tag, std::make_shared<const R>(value),
                                       approxBytes(value), makeKeyText(st.name, args...),
                                       computeNs);
            return value;
        }
        if constexpr (ByteCodable<R>) {
            return callThroughBytes(key, args...);
        } else {
            return std::invoke(st.fn, args...);  // unreachable: the factories forbid it
        }
    }

    // Counters of this cache (engine counters plus the wrapper's corrections).
    Stats stats() const { return m_state->cacheStats(); }
    // Removes every entry of this cache.
    Status clear() const { return m_state->engine->clear(); }
    // Removes the entry of one call; returns whether there was one.
    Result<bool> erase(const A&... args) const {
        return m_state->engine->erase(makeKey(m_state->name, args...));
    }
    const std::string& name() const { return m_state->name; }
    Engine& engine() const { return *m_state->engine; }

  protected:
    explicit MemoizedImpl(std::shared_ptr<MemoState<F>> state) : m_state(std::move(state)) {}

  private:
    R callThroughBytes(const Key& key, const A&... args) const requires ByteCodable<R> {
        MemoState<F>& st = *m_state;
        // Failures of get, erase and set are counted by the engine (stats.h); here they only
        // mean "compute without the cache".
        auto stored = st.engine->get(key);
        if (stored.ok()) {
            R cached{};
            const bool ours = stored->type_tag == st.tag;
            if (ours && decodeFromString(stored->payload, cached)) return cached;
            // Not ours, or damaged: a miss, and the entry goes away.
            st.rejected.fetch_add(1, std::memory_order_relaxed);
            st.rejectedSavedNs.fetch_add(stored->compute_ns.value_or(0), std::memory_order_relaxed);
            if (ours) st.undecodable.fetch_add(1, std::memory_order_relaxed);
            (void)st.engine->erase(key);
        }
        std::uint64_t computeNs = 0;
        R value = timedCall(*st.clock, &computeNs, st.fn, args...);
        const std::string payload = encodeToString(value);
        const std::string text = makeKeyText(st.name, args...);
        Record record;
        record.key_text = text;
        record.type_tag = st.tag;
        record.payload = payload;
        record.compute_ns = computeNs;
        (void)st.engine->set(key, record);
        return value;
    }

    std::shared_ptr<MemoState<F>> m_state;
};

template <class F>
using SignatureOf = typename CallSignature<F>::Type;

}  // namespace detail

// A memoized callable F. Build one with mcache(), memoizeWith(), bcache() or fcache().
template <class F>
class Memoized : public detail::MemoizedImpl<F, detail::SignatureOf<F>> {
  public:
    // For the factories; users get Memoized values from them.
    explicit Memoized(std::shared_ptr<detail::MemoState<F>> state)
        : detail::MemoizedImpl<F, detail::SignatureOf<F>>(std::move(state)) {}
};

namespace detail {

template <class Fn>
Result<Memoized<Fn>> buildMemoized(EngineKind kind, bool typed, CacheConfig config, Fn fn,
                                   std::string_view wrapper) {
    static_assert(CallSignature<Fn>::kKnown,
                  "cannot memoize this callable: use a function, a member function, or a lambda "
                  "or function object with exactly one non-template operator()");
    using R = typename CallSignature<Fn>::Result;
    static_assert(!std::is_void_v<R>, "a function returning void has nothing to cache");
    static_assert(std::is_copy_constructible_v<R>, "a memoized function's result must be copyable");
    if (config.name.empty()) {
        if (kind != EngineKind::kMemory) {
            return Status::invalidArgument(std::string(wrapper) +
                                           " needs a stable cache name: set CacheConfig::name");
        }
        config.name = nextCacheName(wrapper);
    }
    const std::string context = std::string(wrapper) + " \"" + config.name + "\"";
    auto resolved = resolveConfig(config);
    if (!resolved.ok()) return resolved.status().withContext(context);

    auto state = std::make_shared<MemoState<Fn>>(std::move(fn));
    state->name = resolved->name;
    state->tag = typeTag<R>();
    state->clock = resolved->clock;
    if (typed) {
        auto engine = MemoryEngine::create(*resolved);
        if (!engine.ok()) return engine.status().withContext(context);
        state->memory = engine->get();
        state->engine = std::move(*engine);
    } else {
        auto engine = openEngine(kind, *resolved);
        if (!engine.ok()) return engine.status().withContext(context);
        state->engine = std::move(*engine);
    }
    CacheRegistry::instance().add(state);
    return Memoized<Fn>(std::move(state));
}

template <class Fn>
constexpr void requireByteCodable() {
    static_assert(ByteCodable<typename CallSignature<Fn>::Result>,
                  "this cache stores values as bytes: the result type needs Codec encode and "
                  "decode and a default constructor (mcache keeps objects and needs neither)");
}

}  // namespace detail

// Memory cache with the typed fast path. `target` is fn, &C::method, or &C::method, &object.
template <class... Target>
Result<Memoized<detail::CallableOf<Target...>>> mcache(CacheConfig config, Target&&... target) {
    return detail::buildMemoized(EngineKind::kMemory, /*typed=*/true, std::move(config),
                                 detail::makeCallable(std::forward<Target>(target)...), "mcache");
}

// Any engine, values stored as Codec bytes. Persistent kinds need config.name.
template <class... Target>
Result<Memoized<detail::CallableOf<Target...>>> memoizeWith(EngineKind kind, CacheConfig config,
                                                            Target&&... target) {
    using Fn = detail::CallableOf<Target...>;
    detail::requireByteCodable<Fn>();
    return detail::buildMemoized(kind, /*typed=*/false, std::move(config),
                                 detail::makeCallable(std::forward<Target>(target)...),
                                 engineKindName(kind));
}

// SQLite disk cache (diskcache-like). Needs config.name.
template <class... Target>
Result<Memoized<detail::CallableOf<Target...>>> bcache(CacheConfig config, Target&&... target) {
    using Fn = detail::CallableOf<Target...>;
    detail::requireByteCodable<Fn>();
    return detail::buildMemoized(EngineKind::kSqlite, /*typed=*/false, std::move(config),
                                 detail::makeCallable(std::forward<Target>(target)...), "bcache");
}

// One-file-per-entry folder cache (joblib-like). Needs config.name.
template <class... Target>
Result<Memoized<detail::CallableOf<Target...>>> fcache(CacheConfig config, Target&&... target) {
    using Fn = detail::CallableOf<Target...>;
    detail::requireByteCodable<Fn>();
    return detail::buildMemoized(EngineKind::kFiles, /*typed=*/false, std::move(config),
                                 detail::makeCallable(std::forward<Target>(target)...), "fcache");
}

}  // namespace twat_cache
