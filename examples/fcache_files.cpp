// fcache: memoize a function into a folder with one file per entry (joblib-like).
//
// The cache is the folder <cache root>/<name>: a manifest, shared counters, and one file
// per entry under entries/. Files are written atomically (temporary file, then rename), so
// other processes, backups and rsync never see a half-written entry.
//
// Good for few, large values (rendered images, downloaded documents) that tools outside
// this program may also want to see; for many small values prefer bcache.
#include <twat_cache/memoize.h>

#include <cstdio>
#include <string>

namespace {

int g_calls = 0;

// Stands in for an expensive rendering: a text banner of `width` columns.
std::string renderBanner(const std::string& title, int width) {
    ++g_calls;
    std::string line(static_cast<std::size_t>(width), '=');
    return line + "\n" + title + "\n" + line + "\n";
}

}  // namespace

int main() {
    // [fcache]
    auto banner = twat_cache::fcache({.name = "example_banners", .ttl = std::chrono::hours(24)},
                                     renderBanner);
    if (!banner) {
        std::fprintf(stderr, "fcache: %s\n", banner.status().toString().c_str());
        return 1;
    }
    const std::string a = (*banner)("twat-cache", 40);  // computed, written to a file
    const std::string b = (*banner)("twat-cache", 40);  // read back from that file
    // [fcache]

    const twat_cache::Stats stats = banner->stats();
    std::printf("%s", b.c_str());
    std::printf("function ran %d time(s); hits %llu, entries %llu\n", g_calls,
                static_cast<unsigned long long>(stats.hits),
                static_cast<unsigned long long>(stats.entries));
    // Other runs may have stored the entry already, so the function ran at most once here.
    if (a != b || g_calls > 1 || stats.hits < 1 || stats.entries < 1) {
        std::fprintf(stderr, "fcache_files: FAILED\n");
        return 1;
    }
    std::printf("fcache_files ok\n");
    return 0;
}
