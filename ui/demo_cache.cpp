#include "demo_cache.h"

#include <QDir>
#include <QFileInfo>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

#include "twat_cache/codec.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/key.h"

namespace twat_cache::ui {
namespace {

using namespace std::chrono_literals;

// Opens the demo cache under `root` with `clock` (a ManualClock lets one entry be written
// "two hours ago" so that it is expired now).
Result<std::unique_ptr<Engine>> openDemo(const QString& root, std::shared_ptr<Clock> clock) {
    CacheConfig config;
    config.name = kDemoCacheName;
    config.cache_dir = std::filesystem::path(root.toStdString());
    config.preferred_engine = EngineKind::kSqlite;
    config.clock = std::move(clock);
    auto resolved = resolveConfig(config);
    if (!resolved.ok()) return resolved.status();
    return openEngine(EngineKind::kSqlite, *resolved);
}

// Type tag of the demo's JSON documents: raw UTF-8 bytes that no Codec decodes, as a cache
// of service responses would keep them (the inspector shows them as pretty JSON).
constexpr std::uint64_t kJsonDocumentTag = 0x6a736f6e;  // "json"

Status putJson(Engine& engine, std::int64_t id, const std::string& json) {
    const std::string text = makeKeyText("profile", id);
    Record record;
    record.key_text = text;
    record.type_tag = kJsonDocumentTag;
    record.payload = json;
    record.ttl = std::chrono::minutes(10);
    record.tag = "profile";
    return engine.set(makeKey("profile", id), record);
}

// `computeNs`: how long the value "took" to compute (the Compute time and Time saved columns).
template <class Value>
Status put(Engine& engine, const std::string& function, std::int64_t arg, const Value& value,
           std::optional<std::chrono::milliseconds> ttl = std::nullopt,
           std::optional<std::uint64_t> computeNs = std::nullopt) {
    const std::string text = makeKeyText(function, arg);
    const std::string payload = encodeToString(value);
    Record record;
    record.key_text = text;
    record.type_tag = typeTag<Value>();
    record.payload = payload;
    record.ttl = ttl;
    record.tag = function;
    record.compute_ns = computeNs;
    return engine.set(makeKey(function, arg), record);
}

std::int64_t fib(std::int64_t n) {
    std::int64_t a = 0;
    std::int64_t b = 1;
    for (std::int64_t i = 0; i < n; ++i) b = std::exchange(a, b) + b;
    return a;
}

}  // namespace

bool cacheRootIsEmpty(const QString& root) {
    const QFileInfo info(root);
    if (!info.exists()) return true;
    return info.isDir() &&
           QDir(root).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
}

Status createDemoCache(const QString& root) {
    if (!QDir().mkpath(root)) {
        return Status::ioError("cannot create the cache root " + root.toStdString());
    }
    {
        auto engine = openDemo(root, Clock::system());
        if (!engine.ok()) return engine.status();
        Engine& cache = **engine;
        for (std::int64_t n = 10; n < 40; ++n) {
            // A naive fib(n) takes about 1.6^n steps (of 100 ns): from microseconds to seconds.
            const auto ns =
                static_cast<std::uint64_t>(100.0 * std::pow(1.618, static_cast<double>(n)));
            if (Status s = put(cache, "fib", n, fib(n), std::nullopt, ns); !s.ok()) return s;
        }
        for (std::int64_t id = 1; id <= 6; ++id) {
            const std::string json = "{\"user\": " + std::to_string(id) + ", \"name\": \"user " +
                                     std::to_string(id) +
                                     "\", \"roles\": [\"reader\", \"writer\"], \"active\": true}";
            if (Status s = putJson(cache, id, json); !s.ok()) return s;
        }
        for (std::int64_t kib : {4, 64, 512}) {
            // Larger values, so the size histogram and "largest entries" show a spread.
            const std::string blob(static_cast<std::size_t>(kib) * 1024U, 'x');
            const std::uint64_t ns = static_cast<std::uint64_t>(kib) * 2'000'000;  // 2 ms a KiB
            if (Status s = put(cache, "thumbnail", kib, blob, 24h, ns); !s.ok()) return s;
        }
        // A few lookups so that hits, misses, the hit ratio and the time saved have values.
        for (std::int64_t n = 28; n < 40; ++n) (void)cache.get(makeKey("fib", n));
        for (std::int64_t n = 90; n < 94; ++n) (void)cache.get(makeKey("fib", n));
        if (Status s = cache.flush(); !s.ok()) return s;
    }
    // Last, because every write culls expired entries: written "two hours ago" with a
    // one-hour TTL, so they are expired now, for "Clear expired".
    const auto past = std::make_shared<ManualClock>(Clock::system()->nowMs() - 2 * 3600 * 1000);
    auto engine = openDemo(root, past);
    if (!engine.ok()) return engine.status();
    for (std::int64_t day = 1; day <= 3; ++day) {
        Status s = put(**engine, "weather", day, std::string("rain, 14 °C"), 1h);
        if (!s.ok()) return s;
    }
    return (*engine)->flush();
}

Result<bool> ensureDemoCache(const QString& root) {
    if (root.isEmpty() || !cacheRootIsEmpty(root)) return false;
    if (Status s = createDemoCache(root); !s.ok()) return s;
    return true;
}

}  // namespace twat_cache::ui
