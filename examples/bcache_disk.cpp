// bcache: memoize a function into a SQLite disk cache that outlives the process.
//
// The cache is the folder <cache root>/<name> (cache root: TWAT_CACHE_DIR, else
// $XDG_CACHE_HOME/twat_cache, else ~/.cache/twat_cache). Run this program twice: the second
// run finds the values the first one stored. Several processes may share the cache.
//
// Values are stored as bytes, so the result type needs a Codec (codec.h). Standard types
// have one; this example also shows a Codec for a type of our own.
#include <twat_cache/memoize.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

// [codec]
// A type of our own, used as an argument and as a cached value.
struct Point {
    double x = 0;
    double y = 0;
};

// Teaches twat-cache to encode Point: fields in a fixed order, decode in the same order.
template <>
struct twat_cache::Codec<Point> {
    static void encode(Writer& w, const Point& p) {
        encodeValue(w, p.x);
        encodeValue(w, p.y);
    }
    static bool decode(Reader& r, Point& p) { return decodeValue(r, p.x) && decodeValue(r, p.y); }
    // How a Point reads in key text, e.g. centroid([(1, 2), (3, 4)]).
    static void describe(std::string& out, const Point& p) {
        out += '(';
        describeValue(out, p.x);
        out += ", ";
        describeValue(out, p.y);
        out += ')';
    }
    // A stable name for the encoding. Change it when the encoding changes: values stored
    // under the old name are then misses instead of wrong values.
    static void signature(std::string& out) { out += "Point/1"; }
};
// [codec]

namespace {

int g_calls = 0;

Point centroid(const std::vector<Point>& points) {
    ++g_calls;
    Point c;
    for (const Point& p : points) {
        c.x += p.x;
        c.y += p.y;
    }
    if (!points.empty()) {
        c.x /= static_cast<double>(points.size());
        c.y /= static_cast<double>(points.size());
    }
    return c;
}

}  // namespace

int main() {
    // [bcache]
    // Persistent caches need a stable name: it names the folder and identifies the values.
    auto cached = twat_cache::bcache(
        {.name = "example_centroid", .maxsize = 10'000, .compress = true}, centroid);
    if (!cached) {
        // e.g. the cache root is not writable, or the folder belongs to something else.
        std::fprintf(stderr, "bcache: %s\n", cached.status().toString().c_str());
        return 1;
    }
    const std::vector<Point> square{{0, 0}, {2, 0}, {2, 2}, {0, 2}};
    const Point c = (*cached)(square);
    // [bcache]

    const twat_cache::Stats stats = cached->stats();
    const bool fromDisk = g_calls == 0;
    std::printf("centroid = (%g, %g), %s; hits %llu, misses %llu, entries %llu\n", c.x, c.y,
                fromDisk ? "read from the disk cache" : "computed and stored",
                static_cast<unsigned long long>(stats.hits),
                static_cast<unsigned long long>(stats.misses),
                static_cast<unsigned long long>(stats.entries));
    if (std::abs(c.x - 1.0) > 1e-12 || std::abs(c.y - 1.0) > 1e-12 || stats.entries < 1) {
        std::fprintf(stderr, "bcache_disk: FAILED: wrong centroid or nothing stored\n");
        return 1;
    }
    std::printf("bcache_disk ok\n");
    return 0;
}
