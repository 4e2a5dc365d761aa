#include "twat_cache/clock.h"

#include <time.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace twat_cache {
namespace {

class CoarseSystemClock final : public Clock {
  public:
    std::int64_t nowMs() const override {
        timespec ts{};
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);
        return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
    }
};

}  // namespace

Clock::~Clock() = default;

std::int64_t Clock::steadyNs() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::shared_ptr<Clock> Clock::system() {
    static const std::shared_ptr<Clock> clock = std::make_shared<CoarseSystemClock>();
    return clock;
}

std::string isoTimeUtc(std::int64_t unixMs) {
    std::int64_t seconds = unixMs / 1000;
    std::int64_t millis = unixMs % 1000;
    if (millis < 0) {
        millis += 1000;
        seconds -= 1;
    }
    const auto t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[40];
    const std::size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out(buf, n);
    char ms[8];
    std::snprintf(ms, sizeof(ms), ".%03dZ", static_cast<int>(millis));
    out += ms;
    return out;
}

}  // namespace twat_cache
