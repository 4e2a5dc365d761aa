// Memoization wrappers (memoize.h) and the cache registry (registry.h).
#include <QtTest>
#include <cstdlib>
#include <stdexcept>

#include "twat_cache/memoize.h"

using namespace twat_cache;

namespace {

int g_squareCalls = 0;
int square(int x) {
    ++g_squareCalls;
    return x * x;
}

struct Polynomial {
    int calls = 0;
    int a = 2;
    int eval(int x) {
        ++calls;
        return a * x + 1;
    }
};

// A key argument type with its own Codec (the unbound member-function form keys the object).
struct Point {
    int x = 0;
    int y = 0;
    int scaled(int k) const { return (x + y) * k; }
};

// A result type with no Codec at all: fine for mcache.
struct Opaque {
    std::vector<int> values;
    std::string label;
};

struct Boom {
    int code;
};

struct Adder {
    int base;
    int operator()(int x, const std::string& s) const {
        return base + x + static_cast<int>(s.size());
    }
};

bool hasCache(const std::string& name) {
    for (const CacheInfo& c : CacheRegistry::instance().list()) {
        if (c.name == name) return true;
    }
    return false;
}

}  // namespace

template <>
struct twat_cache::Codec<Point> {
    static void encode(Writer& w, const Point& p) {
        encodeValue(w, p.x);
        encodeValue(w, p.y);
    }
    static void describe(std::string& out, const Point& p) {
        out += "Point(" + std::to_string(p.x) + "," + std::to_string(p.y) + ")";
    }
};

class TestMemoize : public QObject {
    Q_OBJECT
  private slots:
    void freeFunction() {
        g_squareCalls = 0;
        auto sq = mcache(CacheConfig{.name = "square"}, square);
        QVERIFY2(sq.ok(), sq.status().toString().c_str());
        QCOMPARE((*sq)(7), 49);
        QCOMPARE((*sq)(7), 49);
        QCOMPARE((*sq)(7), 49);
        QCOMPARE((*sq)(8), 64);
        QCOMPARE(g_squareCalls, 2);
        const Stats s = sq->stats();
        QCOMPARE(s.hits, 2u);
        QCOMPARE(s.misses, 2u);
        QCOMPARE(s.entries, 2u);
        QCOMPARE(sq->name(), std::string("square"));
        QCOMPARE(sq->engine().kind(), std::string_view("memory"));
    }

    void lambdaAndFunctor() {
        int calls = 0;
        auto lam = mcache(CacheConfig{}, [&calls](int a, double b, const std::string& c) {
            ++calls;
            return c + ":" + std::to_string(a) + ":" + std::to_string(b);
        });
        QVERIFY(lam.ok());
        QCOMPARE((*lam)(1, 2.5, "x"), std::string("x:1:2.500000"));
        QCOMPARE((*lam)(1, 2.5, "x"), std::string("x:1:2.500000"));
        QCOMPARE((*lam)(1, 2.5, "y"), std::string("y:1:2.500000"));
        QCOMPARE(calls, 2);

        auto add = mcache(CacheConfig{}, Adder{100});
        QVERIFY(add.ok());
        QCOMPARE((*add)(1, "abc"), 104);
        QCOMPARE((*add)(1, "abc"), 104);
        QCOMPARE(add->stats().hits, 1u);
    }

    void boundMemberFunction() {
        Polynomial p;
        auto eval = mcache(CacheConfig{}, &Polynomial::eval, &p);
        QVERIFY(eval.ok());
        QCOMPARE((*eval)(3), 7);
        QCOMPARE((*eval)(3), 7);
        QCOMPARE(p.calls, 1);
    }

    void unboundMemberFunctionKeysTheObject() {
        auto scaled = mcache(CacheConfig{}, &Point::scaled);
        QVERIFY(scaled.ok());
        QCOMPARE((*scaled)(Point{1, 2}, 10), 30);
        QCOMPARE((*scaled)(Point{1, 2}, 10), 30);
        QCOMPARE((*scaled)(Point{2, 2}, 10), 40);
        const Stats s = scaled->stats();
        QCOMPARE(s.hits, 1u);
        QCOMPARE(s.misses, 2u);
        auto page = scaled->engine().scan("", 10);
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t{2});
        QVERIFY(page->entries[0].key_text.find("Point(") != std::string::npos);
    }

    void returnTypeIsPreserved() {
        auto words = mcache(CacheConfig{}, [](int n) {
            return std::vector<std::string>(static_cast<std::size_t>(n), "w");
        });
        static_assert(std::is_same_v<decltype((*words)(2)), std::vector<std::string>>);
        QCOMPARE((*words)(2).size(), std::size_t{2});
        // No Codec needed for mcache values.
        auto opaque = mcache(CacheConfig{}, [](int n) { return Opaque{{n, n}, "n"}; });
        static_assert(std::is_same_v<decltype((*opaque)(1)), Opaque>);
        QCOMPARE((*opaque)(3).values, (std::vector<int>{3, 3}));
        QCOMPARE((*opaque)(3).label, std::string("n"));
        QCOMPARE(opaque->stats().hits, 1u);
    }

    void argumentsConvertToTheDeclaredTypes() {
        int calls = 0;
        auto f = mcache(CacheConfig{}, [&calls](long long x) {
            ++calls;
            return x + 1;
        });
        QCOMPARE((*f)(5), 6LL);    // int argument
        QCOMPARE((*f)(5LL), 6LL);  // same key
        QCOMPARE(calls, 1);
    }

    void exceptionPropagatesAndIsNotCached() {
        int calls = 0;
        auto f = mcache(CacheConfig{}, [&calls](int x) {
            ++calls;
            if (x < 0) throw Boom{x};
            return x;
        });
        QVERIFY(f.ok());
        for (int attempt = 1; attempt <= 2; ++attempt) {
            try {
                (*f)(-3);
                QFAIL("no exception");
            } catch (const Boom& b) {
                QCOMPARE(b.code, -3);
            }
            QCOMPARE(calls, attempt);
        }
        QCOMPARE(f->stats().entries, 0u);
        QCOMPARE((*f)(4), 4);
        QCOMPARE(calls, 3);
    }

    void clearAndErase() {
        auto sq = mcache(CacheConfig{}, square);
        (*sq)(1);
        (*sq)(2);
        QCOMPARE(*sq->erase(1), true);
        QCOMPARE(*sq->erase(1), false);
        QCOMPARE(sq->stats().entries, 1u);
        QVERIFY(sq->clear().ok());
        QCOMPARE(sq->stats().entries, 0u);
        g_squareCalls = 0;
        (*sq)(2);
        QCOMPARE(g_squareCalls, 1);
    }

    void copiesShareOneCache() {
        g_squareCalls = 0;
        auto sq = mcache(CacheConfig{}, square);
        auto copy = *sq;
        (*sq)(5);
        copy(5);
        QCOMPARE(g_squareCalls, 1);
        QCOMPARE(copy.stats().hits, 1u);
    }

    void unnamedCachesGetDistinctNames() {
        auto a = mcache(CacheConfig{}, square);
        auto b = mcache(CacheConfig{}, square);
        QVERIFY(a->name().rfind("mcache#", 0) == 0);
        QVERIFY(b->name().rfind("mcache#", 0) == 0);
        QVERIFY(a->name() != b->name());
        g_squareCalls = 0;
        (*a)(3);
        (*b)(3);
        QCOMPARE(g_squareCalls, 2);  // separate caches
    }

    void ttlUsesTheInjectedClock() {
        auto clock = std::make_shared<ManualClock>();
        g_squareCalls = 0;
        auto sq =
            mcache(CacheConfig{.ttl = std::chrono::milliseconds(100), .clock = clock}, square);
        (*sq)(2);
        clock->advanceMs(99);
        (*sq)(2);
        QCOMPARE(g_squareCalls, 1);
        clock->advanceMs(1);
        (*sq)(2);
        QCOMPARE(g_squareCalls, 2);
        QCOMPARE(sq->stats().expirations, 1u);
    }

    void engineFailureIsCountedNotReturned() {
        // Policy none with room for one entry: the second store fails with Busy.
        auto sq = mcache(CacheConfig{.maxsize = 1, .policy = Policy::kNone}, square);
        QCOMPARE((*sq)(2), 4);
        QCOMPARE((*sq)(3), 9);
        QCOMPARE((*sq)(3), 9);
        const Stats s = sq->stats();
        QCOMPARE(s.errors, 2u);
        QCOMPARE(s.entries, 1u);
    }

    void foreignOrDamagedBytesAreMisses() {
        int calls = 0;
        auto f = memoizeWith(EngineKind::kMemory, CacheConfig{.name = "tagged"}, [&calls](int x) {
            ++calls;
            return x * 10;
        });
        QVERIFY2(f.ok(), f.status().toString().c_str());
        const std::string text = "tagged(5)";
        const std::string wrong = encodeToString(std::string("a string, not an int"));
        Record foreign;
        foreign.key_text = text;
        foreign.type_tag = typeTag<std::string>();
        foreign.payload = wrong;
        QVERIFY(f->engine().set(makeKey("tagged", 5), foreign).ok());
        QCOMPARE((*f)(5), 50);
        QCOMPARE(calls, 1);
        QCOMPARE((*f)(5), 50);  // the bad entry was replaced by a good one
        QCOMPARE(calls, 1);

        Record damaged;
        damaged.key_text = "tagged(6)";
        damaged.type_tag = typeTag<int>();
        damaged.payload = "\x01";  // an int needs four bytes
        QVERIFY(f->engine().set(makeKey("tagged", 6), damaged).ok());
        QCOMPARE((*f)(6), 60);
        QCOMPARE(calls, 2);
        const Stats s = f->stats();
        QCOMPARE(s.hits, 1u);
        QCOMPARE(s.misses, 2u);
        QCOMPARE(s.entries, 2u);
    }

    void persistentCachesNeedAName() {
        auto b = bcache(CacheConfig{}, square);
        QCOMPARE(b.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(
            b.status().message().find("bcache needs a stable cache name: set CacheConfig::name") !=
                std::string::npos,
            b.status().toString().c_str());
        auto fc = fcache(CacheConfig{}, square);
        QVERIFY(fc.status().message().find("fcache needs a stable cache name") !=
                std::string::npos);
    }

    void configErrorsComeBack() {
        qputenv("TWAT_CACHE_TTL", "soon");
        auto sq = mcache(CacheConfig{.name = "envbad"}, square);
        qunsetenv("TWAT_CACHE_TTL");
        QVERIFY(!sq.ok());
        QCOMPARE(sq.status().code(), StatusCode::kInvalidArgument);
        QVERIFY2(sq.status().message().find("TWAT_CACHE_TTL") != std::string::npos,
                 sq.status().toString().c_str());
        QVERIFY(!hasCache("envbad"));
    }

    void registryListsStatsAndClears() {
        auto a = mcache(CacheConfig{.name = "reg_a"}, square);
        auto b = mcache(CacheConfig{.name = "reg_b"}, square);
        (*a)(1);
        (*a)(1);
        (*b)(2);
        QVERIFY(hasCache("reg_a"));
        QVERIFY(hasCache("reg_b"));
        for (const CacheInfo& c : CacheRegistry::instance().list()) {
            if (c.name == "reg_a") {
                QCOMPARE(c.kind, std::string("memory"));
                QCOMPARE(c.stats.hits, 1u);
            }
        }
        auto s = CacheRegistry::instance().stats("reg_a");
        QVERIFY(s.ok());
        QCOMPARE(s->entries, 1u);
        QVERIFY(CacheRegistry::instance().clear("reg_a").ok());
        QCOMPARE(a->stats().entries, 0u);
        QCOMPARE(b->stats().entries, 1u);
        QVERIFY(CacheRegistry::instance().clearAll().ok());
        QCOMPARE(b->stats().entries, 0u);
        QCOMPARE(CacheRegistry::instance().clear("no such cache").code(), StatusCode::kNotFound);
    }

    void registryForgetsDeadCaches() {
        {
            auto a = mcache(CacheConfig{.name = "short_lived"}, square);
            auto copy = *a;
            a = Status::notFound("dropped");  // the first handle goes; the copy keeps it alive
            QVERIFY(hasCache("short_lived"));
        }
        QVERIFY(!hasCache("short_lived"));
        QCOMPARE(CacheRegistry::instance().stats("short_lived").status().code(),
                 StatusCode::kNotFound);
    }

    void registrySumsCachesSharingAName() {
        auto a = mcache(CacheConfig{.name = "twin"}, square);
        auto b = mcache(CacheConfig{.name = "twin"}, [](int x) { return x + 1; });
        (*a)(1);
        (*b)(1);
        (*b)(2);
        auto s = CacheRegistry::instance().stats("twin");
        QVERIFY(s.ok());
        QCOMPARE(s->entries, 3u);
        QCOMPARE(s->misses, 3u);
    }
};

QTEST_GUILESS_MAIN(TestMemoize)
#include "test_memoize.moc"
