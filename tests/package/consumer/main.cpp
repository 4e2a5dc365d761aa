// Uses the installed public API only, as a user project would.
#include <twat_cache/config.h>
#include <twat_cache/key.h>

#include <cstdio>
#include <string>

int main() {
    const auto a = twat_cache::makeKey("geo", 42, std::string("x"));
    const auto b = twat_cache::makeKey("geo", 42, std::string("x"));
    if (!(a == b)) {
        std::fprintf(stderr, "equal inputs gave different keys\n");
        return 1;
    }
    twat_cache::CacheConfig config{.name = "geo"};
    config.maxsize = 10;
    auto resolved = twat_cache::resolveConfig(config);
    if (!resolved.ok()) {
        std::fprintf(stderr, "%s\n", resolved.status().toString().c_str());
        return 1;
    }
    std::printf("consumer ok: key %s, maxsize %llu\n", a.toHex().c_str(),
                static_cast<unsigned long long>(resolved->maxsize));
    return 0;
}
