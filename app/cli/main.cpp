// twat-cache: list, inspect and clean caches from the command line.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "commands.h"
#include "twat_cache/config.h"
#include "twat_cache/memoize.h"

namespace {

// Deliberately slow: counts primes below n by trial division.
std::uint64_t countPrimes(std::uint64_t n) {
    std::uint64_t count = 0;
    for (std::uint64_t i = 2; i < n; ++i) {
        bool prime = true;
        for (std::uint64_t d = 2; d * d <= i; ++d) {
            if (i % d == 0) {
                prime = false;
                break;
            }
        }
        if (prime) ++count;
    }
    return count;
}

double microsecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
        .count();
}

// Memoizes countPrimes with mcache and shows what the cache did.
int runDemo(std::uint64_t limit, int repeats) {
    auto primes = twat_cache::mcache(
        twat_cache::CacheConfig{.name = "count_primes", .maxsize = 128}, countPrimes);
    if (!primes) {
        std::fprintf(stderr, "twat-cache demo: %s\n", primes.status().toString().c_str());
        return 1;
    }
    std::printf(
        "twat-cache demo: memoizing count_primes(n) in memory (mcache, lru, maxsize 128)\n\n");
    std::printf("  %-28s %12s %14s\n", "call", "result", "time");
    const std::uint64_t inputs[] = {limit, limit / 2, limit};
    int calls = 0;
    for (int round = 0; round < repeats; ++round) {
        for (std::uint64_t n : inputs) {
            const std::uint64_t missesBefore = primes->stats().misses;
            const auto start = std::chrono::steady_clock::now();
            const std::uint64_t result = (*primes)(n);
            const double us = microsecondsSince(start);
            ++calls;
            char call[64];
            std::snprintf(call, sizeof(call), "count_primes(%llu)",
                          static_cast<unsigned long long>(n));
            std::printf("  %-28s %12llu %11.1f us  %s\n", call,
                        static_cast<unsigned long long>(result), us,
                        primes->stats().misses > missesBefore ? "(computed)" : "(cached)");
        }
    }
    const twat_cache::Stats s = primes->stats();
    std::printf("\n  calls %d, hits %llu, misses %llu, entries %llu, hit ratio %.0f%%\n", calls,
                static_cast<unsigned long long>(s.hits), static_cast<unsigned long long>(s.misses),
                static_cast<unsigned long long>(s.entries), 100.0 * s.hitRatio());
    std::printf("  first calls compute; repeated arguments are answered from the cache.\n");
    return 0;
}

// Warns about each malformed TWAT_CACHE_* variable that the chosen command does not read; one
// it reads fails the command with the same words instead.
void warnAboutIgnoredEnvironment(const CLI::App& app, const twat_cache::cli::CliState& state) {
    const auto chosen = app.get_subcommands();
    if (chosen.empty()) return;
    const std::string command = chosen.front()->get_name();
    std::vector<std::string_view> read;
    if (command == "demo") {
        // mcache resolves these from the environment (maxsize is explicit).
        read = {"TWAT_CACHE_TTL", "TWAT_CACHE_POLICY", "TWAT_CACHE_ENGINE", "TWAT_CACHE_COMPRESS"};
    } else if (state.root.empty()) {
        read = {"TWAT_CACHE_DIR"};
    }
    for (const auto& problem : twat_cache::checkEnvironment()) {
        if (std::find(read.begin(), read.end(), problem.variable) != read.end()) continue;
        std::fprintf(stderr, "twat-cache: warning: %s (not used by '%s'; ignored)\n",
                     problem.status.message().c_str(), command.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"twat-cache: inspect and maintain twat-cache, diskcache, joblib and Redis caches",
                 "twat-cache"};
    app.set_version_flag("--version", std::string("twat-cache ") + TWAT_CACHE_VERSION);
    twat_cache::cli::CliState state;
    twat_cache::cli::addInspectCommands(app, state);
    twat_cache::cli::addEditCommands(app, state);
    twat_cache::cli::addMemberCommands(app, state);
    twat_cache::cli::addAnalyzeCommand(app, state);
    twat_cache::cli::addServerCommands(app, state);
    twat_cache::cli::addLogCommand(app, state);

    std::uint64_t demoLimit = 200'000;
    int demoRepeats = 2;
    CLI::App* demo = app.add_subcommand(
        "demo", "Memoize a slow function in memory and show the cache's statistics");
    demo->add_option("--limit", demoLimit, "count primes below this number")
        ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{5'000'000}));
    demo->add_option("--repeat", demoRepeats, "rounds of calls")->check(CLI::Range(1, 100));

    app.parse_complete_callback([&app, &state] { warnAboutIgnoredEnvironment(app, state); });
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : twat_cache::cli::kExitUsage;
    }
    if (demo->parsed()) return runDemo(demoLimit, demoRepeats);
    if (app.get_subcommands().empty()) {
        std::printf("%s", app.help().c_str());
        return 0;
    }
    return state.exit_code;
}
