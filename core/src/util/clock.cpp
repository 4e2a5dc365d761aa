#include "twat_cache/clock.h"

#include <time.h>

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

std::shared_ptr<Clock> Clock::system() {
    static const std::shared_ptr<Clock> clock = std::make_shared<CoarseSystemClock>();
    return clock;
}

}  // namespace twat_cache
