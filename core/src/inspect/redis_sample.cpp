// RedisSource::sample(): a uniform random sample of the keyspace (redis_source.h).
//
// RANDOMKEY would be cheaper but is not uniform: it picks a random bucket of the server's key
// table, then a random key of that bucket's chain, so keys sharing a bucket are drawn less
// often. Instead the sample walks the whole keyspace with SCAN — names only, the light part —
// and keeps each key with probability n / DBSIZE (a Bernoulli sample: every key has the same
// chance, wherever it lies, on a cluster whichever master holds it); only the kept keys are
// described (TYPE, PTTL, MEMORY USAGE and length: the heavy part). The sample's size is about
// n, not exactly n. Draws are without replacement.
#include <algorithm>
#include <random>

#include "inspect/redis_source.h"

namespace twat_cache::detail {
namespace {

constexpr std::size_t kDescribeBatch = 1000;
constexpr std::size_t kMaxSample = 1'000'000;

}  // namespace

Result<std::vector<EntrySummary>> RedisSource::sample(std::size_t n) {
    n = std::min(n, kMaxSample);
    auto total = dbSize();
    if (!total.ok()) return total.status();
    if (*total == 0 || n == 0) return std::vector<EntrySummary>{};
    const double keep = std::min(1.0, static_cast<double>(n) / static_cast<double>(*total));
    std::mt19937_64 random(std::random_device{}());
    std::bernoulli_distribution chosen(keep);
    std::vector<std::string> keys;
    std::vector<EntrySummary> out;
    auto describeKept = [&]() -> Status {
        auto described = describe(keys);
        keys.clear();
        if (!described.ok()) return described.status();
        // A key deleted or expired since SCAN saw it is gone: TYPE says "none".
        for (auto& e : *described) {
            if (e.type != "none") out.push_back(std::move(e));
        }
        return {};
    };
    std::string cursor = "0";
    do {
        auto step = scanOnce(cursor, {}, 0);
        if (!step.ok()) return step.status();
        for (auto& k : step->keys) {
            if (chosen(random)) keys.push_back(std::move(k));
        }
        if (keys.size() >= kDescribeBatch) {
            if (Status s = describeKept(); !s.ok()) return s;
        }
        cursor = step->cursor;
    } while (cursor != "0");
    if (!keys.empty()) {
        if (Status s = describeKept(); !s.ok()) return s;
    }
    return out;
}

}  // namespace twat_cache::detail
