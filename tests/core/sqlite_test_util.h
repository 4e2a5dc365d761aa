// Helpers shared by the sqlite engine tests: a config rooted in a temporary folder with a
// ManualClock, records and keys built from short strings.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QtTest>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/key.h"
#include "twat_cache/sqlite_engine.h"

namespace twat_cache::test {

inline ResolvedConfig sqliteConfig(const std::filesystem::path& root, CacheConfig config,
                                   std::shared_ptr<Clock> clock = nullptr) {
    if (config.name.empty()) config.name = "t";
    config.cache_dir = root;
    config.clock = clock ? std::move(clock) : std::make_shared<ManualClock>();
    auto r = resolveConfig(config, [](std::string_view) { return std::optional<std::string>(); });
    if (!r.ok()) qFatal("resolveConfig failed: %s", r.status().toString().c_str());
    return std::move(r).value();
}

inline Key keyOf(const std::string& s) {
    return hashBytes(s);
}

inline Record recordOf(std::string_view keyText, std::string_view payload,
                       std::uint64_t typeTag = 7, std::string_view tag = {}) {
    Record r;
    r.key_text = keyText;
    r.payload = payload;
    r.type_tag = typeTag;
    r.tag = tag;
    return r;
}

// A payload that differs per (seed, size) and does not compress.
inline std::string noise(std::uint64_t seed, std::size_t size) {
    std::string out(size, '\0');
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x & 0xff);
    }
    return out;
}

struct ChildOutcome {
    bool exited = false;  // exited normally (not killed, not timed out)
    int exitCode = -1;
    std::string out;  // what the child's function returned
};

// Runs `fn` in a forked child and returns its text. The child never returns into the test
// framework: it _exit()s. The parent waits at most `timeoutMs`, then kills the child.
inline ChildOutcome runInChild(const std::function<std::string()>& fn, int timeoutMs = 30000) {
    int fds[2];
    if (::pipe(fds) != 0) return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        const std::string out = fn();
        std::size_t done = 0;
        while (done < out.size()) {
            const ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    ChildOutcome outcome;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    char buf[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) {
            ::kill(pid, SIGKILL);
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        const ssize_t n = ::read(fds[0], buf, sizeof(buf));
        if (n <= 0) break;
        outcome.out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    outcome.exited = WIFEXITED(status);
    outcome.exitCode = outcome.exited ? WEXITSTATUS(status) : -1;
    return outcome;
}

}  // namespace twat_cache::test
