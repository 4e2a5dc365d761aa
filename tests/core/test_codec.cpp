// Codec<T>: value-mode round trips of every supported type, malformed input, type signatures
// and the readable key text.
#include <QtTest>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>
#include <random>

#include "twat_cache/codec.h"
#include "twat_cache/key.h"

// The largest single allocation this process has asked for: malformed input must never make
// a decoder allocate more than the input could describe.
namespace {
std::atomic<std::size_t> g_largestAllocation{0};
}  // namespace

void* operator new(std::size_t n) {
    std::size_t seen = g_largestAllocation.load(std::memory_order_relaxed);
    while (n > seen && !g_largestAllocation.compare_exchange_weak(seen, n)) {
    }
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

using namespace twat_cache;

namespace {

struct Point {
    int x = 0;
    double y = 0;
    std::string label;
    bool operator==(const Point&) const = default;
};

// A user type without describe() or signature(): the defaults must apply.
struct Bare {
    std::uint16_t v = 0;
    bool operator==(const Bare&) const = default;
};

enum Unscoped { kRed = 1, kGreen = 2 };
enum class Scoped : std::int64_t { kLow = std::numeric_limits<std::int64_t>::min(), kHigh = 7 };

}  // namespace

template <>
struct twat_cache::Codec<Point> {
    static void encode(Writer& w, const Point& p) {
        encodeValue(w, p.x);
        encodeValue(w, p.y);
        encodeValue(w, p.label);
    }
    static bool decode(Reader& r, Point& p) {
        return decodeValue(r, p.x) && decodeValue(r, p.y) && decodeValue(r, p.label);
    }
    static void describe(std::string& out, const Point& p) {
        out += "Point(" + std::to_string(p.x) + ")";
    }
    static void signature(std::string& out) { out += "Point/1"; }
};

template <>
struct twat_cache::Codec<Bare> {
    static void encode(Writer& w, const Bare& b) { encodeValue(w, b.v); }
    static bool decode(Reader& r, Bare& b) { return decodeValue(r, b.v); }
};

namespace {

template <class T>
T roundTrip(const T& v, bool* ok) {
    const std::string bytes = encodeToString(v);
    T out{};
    *ok = decodeFromString(bytes, out);
    return out;
}

#define ROUND_TRIP(value)                                            \
    do {                                                             \
        const auto original = (value);                               \
        bool ok = false;                                             \
        const auto decoded = roundTrip(original, &ok);               \
        QVERIFY2(ok, "decode failed for " #value);                   \
        QVERIFY2(decoded == original, "round trip changed " #value); \
    } while (false)

template <class T>
void roundTripLimits() {
    ROUND_TRIP(std::numeric_limits<T>::min());
    ROUND_TRIP(std::numeric_limits<T>::max());
    ROUND_TRIP(T{0});
    ROUND_TRIP(static_cast<T>(1));
}

template <class F>
bool sameBits(F a, F b) {
    return std::memcmp(&a, &b, sizeof(F)) == 0;
}

template <class F>
void roundTripFloatBits() {
    using L = std::numeric_limits<F>;
    const F values[] = {
        F(0),           -F(0),          F(1.5),          -F(2.25),        L::infinity(),
        -L::infinity(), L::quiet_NaN(), -L::quiet_NaN(), L::denorm_min(), -L::denorm_min(),
        L::min(),       L::max(),       L::lowest(),     L::epsilon(),    L::signaling_NaN()};
    for (F v : values) {
        bool ok = false;
        const F back = roundTrip(v, &ok);
        QVERIFY(ok);
        // Value mode keeps every bit: the sign of zero and the payload of a NaN.
        QVERIFY2(sameBits(v, back), std::to_string(static_cast<double>(v)).c_str());
    }
}

// Decoding a strict prefix of a valid encoding must fail cleanly at every cut point.
template <class T>
void expectEveryCutFails(const T& value) {
    const std::string bytes = encodeToString(value);
    QVERIFY(!bytes.empty());
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        T out{};
        if (decodeFromString(std::string_view(bytes).substr(0, cut), out)) {
            QFAIL(("a prefix of " + std::to_string(cut) + " of " + std::to_string(bytes.size()) +
                   " bytes decoded")
                      .c_str());
        }
    }
    T out{};
    QVERIFY(decodeFromString(bytes, out));
    QVERIFY(out == value);
    // One byte too many is malformed too.
    QVERIFY(!decodeFromString(bytes + '\0', out));
}

std::string varint(std::uint64_t v) {
    std::string out;
    Writer(out).putVarint(v);
    return out;
}

// Decodes `bytes` as T and reports whether it succeeded and the largest allocation made.
template <class T>
bool decodeMeasured(const std::string& bytes, std::size_t* largest) {
    T out{};
    g_largestAllocation.store(0);
    const bool ok = decodeFromString(bytes, out);
    *largest = g_largestAllocation.load();
    return ok;
}

using NestedValue =
    std::tuple<std::map<std::string, std::vector<int>>, std::optional<std::string>, double,
               std::unordered_set<std::int64_t>, std::vector<std::vector<std::string>>, Point>;

NestedValue sampleNested() {
    return NestedValue{{{"a", {1, 2, 3}}, {"", {}}, {"long key here", {-1}}},
                       std::string("opt"),
                       -0.5,
                       {1, -2, 3'000'000'000LL},
                       {{"x", "yz"}, {}, {""}},
                       Point{3, 4.5, "p"}};
}

// The type tags of structurally different types (all must differ).
std::vector<std::uint64_t> tagsOfDifferentTypes() {
    return {
        typeTag<int>(),
        typeTag<unsigned>(),
        typeTag<std::int64_t>(),
        typeTag<double>(),
        typeTag<float>(),
        typeTag<std::string>(),
        typeTag<std::vector<std::string>>(),
        typeTag<std::vector<int>>(),
        typeTag<std::optional<int>>(),
        typeTag<std::pair<int, int>>(),
        typeTag<std::tuple<int, int>>(),
        typeTag<std::array<int, 2>>(),
        typeTag<std::map<int, int>>(),
        typeTag<std::set<int>>(),
        typeTag<Point>(),
        typeTag<std::chrono::seconds>(),
        typeTag<std::chrono::milliseconds>(),
    };
}

}  // namespace

class TestCodec : public QObject {
    Q_OBJECT
  private slots:
    void boolAndChar() {
        ROUND_TRIP(true);
        ROUND_TRIP(false);
        ROUND_TRIP('a');
        ROUND_TRIP('\0');
        ROUND_TRIP(static_cast<char>(-1));
        roundTripLimits<char>();
        roundTripLimits<char8_t>();
        roundTripLimits<char16_t>();
        roundTripLimits<char32_t>();
        roundTripLimits<wchar_t>();
        QCOMPARE(encodeToString(true), std::string("\x01", 1));
        bool b = false;
        QVERIFY2(!decodeFromString(std::string("\x02", 1), b), "bool byte 2 must be rejected");
    }

    void integersEveryWidth() {
        roundTripLimits<std::int8_t>();
        roundTripLimits<std::uint8_t>();
        roundTripLimits<std::int16_t>();
        roundTripLimits<std::uint16_t>();
        roundTripLimits<std::int32_t>();
        roundTripLimits<std::uint32_t>();
        roundTripLimits<std::int64_t>();
        roundTripLimits<std::uint64_t>();
        roundTripLimits<long>();
        roundTripLimits<unsigned long long>();
        // Fixed-width little-endian regardless of the host.
        QCOMPARE(encodeToString(std::int32_t{0x01020304}), std::string("\x04\x03\x02\x01", 4));
        QCOMPARE(encodeToString(std::int16_t{-2}), std::string("\xfe\xff", 2));
    }

    void floatingPoint() {
        roundTripFloatBits<float>();
        roundTripFloatBits<double>();
        QCOMPARE(encodeToString(1.0), std::string("\0\0\0\0\0\0\xf0\x3f", 8));
    }

    void enums() {
        ROUND_TRIP(kRed);
        ROUND_TRIP(kGreen);
        ROUND_TRIP(Scoped::kLow);
        ROUND_TRIP(Scoped::kHigh);
        QCOMPARE(encodeToString(Scoped::kHigh).size(), sizeof(std::int64_t));
    }

    void strings_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("ascii") << QByteArray("hello");
        QTest::newRow("embedded NULs") << QByteArray("a\0b\0\0c", 6);
        QTest::newRow("non-UTF-8") << QByteArray("\xff\xfe\xc0\x80\xed\xa0\x80", 7);
        QTest::newRow("utf-8") << QByteArray("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
        QTest::newRow("127 bytes") << QByteArray(127, 'x');
        QTest::newRow("128 bytes") << QByteArray(128, 'y');
    }
    void strings() {
        QFETCH(QByteArray, text);
        const std::string s(text.constData(), static_cast<std::size_t>(text.size()));
        ROUND_TRIP(s);
        // Length prefix is a varint: 1 byte below 128, 2 bytes from 128.
        QCOMPARE(encodeToString(s).size(), s.size() + (s.size() < 128 ? 1u : 2u));
    }

    void hugeString() {
        std::string big(16u << 20, '\0');
        std::mt19937 gen(7);
        for (auto& c : big) c = static_cast<char>(gen());
        ROUND_TRIP(big);
    }

    void byteBuffers() {
        std::vector<std::byte> bytes;
        std::vector<unsigned char> uchars;
        for (int i = 0; i < 300; ++i) {
            bytes.push_back(static_cast<std::byte>(i * 7));
            uchars.push_back(static_cast<unsigned char>(i * 13));
        }
        ROUND_TRIP(bytes);
        ROUND_TRIP(uchars);
        ROUND_TRIP(std::vector<std::byte>{});
        // Byte buffers are raw: a 2-byte length and the bytes.
        QCOMPARE(encodeToString(bytes).size(), bytes.size() + 2);
        ROUND_TRIP((std::vector<std::uint64_t>{0, 1, std::numeric_limits<std::uint64_t>::max()}));
        ROUND_TRIP((std::vector<std::int16_t>{-32768, 0, 32767}));
    }

    void sequences() {
        ROUND_TRIP(std::vector<std::string>{});
        ROUND_TRIP((std::vector<std::string>{"", "a", std::string("\0\xff", 2)}));
        ROUND_TRIP((std::vector<std::vector<int>>{{}, {1}, {2, 3}}));
        ROUND_TRIP((std::vector<std::vector<std::vector<std::string>>>{{{"deep"}}, {}}));
        ROUND_TRIP((std::vector<bool>{true, false, true}));
        ROUND_TRIP((std::vector<double>{-0.0, 1e300, std::numeric_limits<double>::infinity()}));
        ROUND_TRIP((std::array<int, 3>{1, -2, 3}));
        ROUND_TRIP((std::array<std::string, 2>{"x", ""}));
        ROUND_TRIP((std::array<double, 0>{}));
    }

    void associative() {
        ROUND_TRIP((std::map<std::string, int>{{"a", 1}, {"b", -2}}));
        ROUND_TRIP((std::map<int, std::vector<std::string>>{}));
        ROUND_TRIP((std::unordered_map<std::string, double>{{"pi", 3.14}, {"e", 2.71}, {"", 0}}));
        ROUND_TRIP((std::set<std::string>{"z", "a", ""}));
        ROUND_TRIP((std::unordered_set<int>{5, -5, 0, 1 << 30}));
        ROUND_TRIP((std::map<std::string, std::unordered_map<int, std::set<int>>>{
            {"k", {{1, {1, 2}}, {2, {}}}}}));
    }

    void optionalPairTupleDuration() {
        ROUND_TRIP(std::optional<std::string>{});
        ROUND_TRIP(std::optional<std::string>{"full"});
        ROUND_TRIP(std::optional<int>{0});
        ROUND_TRIP((std::pair<int, std::string>{-1, "one"}));
        ROUND_TRIP((std::tuple<int, double, std::string>{42, 2.5, "s"}));
        ROUND_TRIP((std::tuple<bool>{true}));
        ROUND_TRIP(std::chrono::milliseconds{-1234});
        ROUND_TRIP(std::chrono::nanoseconds{std::numeric_limits<std::int64_t>::max()});
        ROUND_TRIP(std::chrono::duration<double>{1.5});
        ROUND_TRIP(std::chrono::hours{24});
        std::optional<int> o;
        QVERIFY2(!decodeFromString(std::string("\x02\0\0\0\0", 5), o), "optional flag 2");
    }

    void userTypeThroughCodecSpecialization() {
        ROUND_TRIP((Point{-7, 0.25, "label"}));
        ROUND_TRIP((std::vector<Point>{{1, 2, "a"}, {3, 4, ""}}));
        ROUND_TRIP((std::map<std::string, Point>{{"p", {5, 6, "q"}}}));
        ROUND_TRIP(Bare{65535});
        QCOMPARE(typeSignature<Point>(), std::string("Point/1"));
        QCOMPARE(typeSignature<std::vector<Point>>(), std::string("vec<Point/1>"));
        // No signature(): the compiler's type name; no describe(): the signature in brackets.
        QVERIFY(typeSignature<Bare>().starts_with("user:"));
        std::string text;
        describeValue(text, Bare{1});
        QCOMPARE(text, "<" + typeSignature<Bare>() + ">");
        QCOMPARE(makeKeyText("f", Point{9, 0, ""}), std::string("f(Point(9))"));
    }

    void everyTruncationFails() {
        expectEveryCutFails(sampleNested());
        expectEveryCutFails(std::string("abc"));
        expectEveryCutFails(std::string(300, 'q'));  // two-byte varint length
        expectEveryCutFails(std::vector<std::uint32_t>{1, 2, 3});
        expectEveryCutFails(std::optional<double>{1.0});
        expectEveryCutFails(std::chrono::seconds{5});
    }

    void hugeDeclaredLengthFails_data() {
        QTest::addColumn<QByteArray>("bytes");
        const auto row = [](const char* name, const std::string& b) {
            QTest::newRow(name) << QByteArray(b.data(), static_cast<qsizetype>(b.size()));
        };
        row("2^62", varint(std::uint64_t{1} << 62) + "abc");
        row("2^64-1", varint(std::numeric_limits<std::uint64_t>::max()) + "abc");
        row("1 GiB", varint(std::uint64_t{1} << 30) + std::string(64, 'x'));
        row("one past end", varint(5) + "abcd");
        row("11-byte varint", std::string(11, '\xff'));
        row("empty", std::string());
    }
    void hugeDeclaredLengthFails() {
        QFETCH(QByteArray, bytes);
        const std::string b(bytes.constData(), static_cast<std::size_t>(bytes.size()));
        const std::size_t bound = b.size() * 64 + 1024;
        std::size_t largest = 0;
        QVERIFY(!decodeMeasured<std::string>(b, &largest));
        QVERIFY2(largest < bound, std::to_string(largest).c_str());
        QVERIFY(!decodeMeasured<std::vector<std::uint64_t>>(b, &largest));
        QVERIFY2(largest < bound, std::to_string(largest).c_str());
        QVERIFY(!decodeMeasured<std::vector<std::string>>(b, &largest));
        QVERIFY2(largest < bound, std::to_string(largest).c_str());
        QVERIFY(!decodeMeasured<std::vector<std::vector<double>>>(b, &largest));
        QVERIFY2(largest < bound, std::to_string(largest).c_str());
        QVERIFY(!(decodeMeasured<std::map<std::string, int>>(b, &largest)));
        QVERIFY2(largest < bound, std::to_string(largest).c_str());
        QVERIFY(!decodeMeasured<std::unordered_set<std::int64_t>>(b, &largest));
        QVERIFY2(largest < bound, std::to_string(largest).c_str());
        QVERIFY(!decodeMeasured<std::vector<std::byte>>(b, &largest));
        QVERIFY2(largest < bound, std::to_string(largest).c_str());
    }

    // Random corruption of a valid encoding: decoding may succeed or fail, but never crashes
    // and never allocates more than a small multiple of the input.
    void randomCorruptionIsSafe() {
        const std::string good = encodeToString(sampleNested());
        std::mt19937_64 gen(20240601);
        std::size_t successes = 0;
        for (int round = 0; round < 20000; ++round) {
            std::string bad = good;
            const int flips = 1 + static_cast<int>(gen() % 4);
            for (int f = 0; f < flips; ++f) {
                bad[gen() % bad.size()] = static_cast<char>(gen());
            }
            std::size_t largest = 0;
            if (decodeMeasured<NestedValue>(bad, &largest)) ++successes;
            if (largest > 64 * 1024) QFAIL(("allocated " + std::to_string(largest)).c_str());
        }
        // Flipping payload bytes of strings and numbers keeps the input valid sometimes.
        QVERIFY(successes > 0);
    }

    void trailingBytesFail() {
        std::string bytes = encodeToString(std::int32_t{7});
        std::int32_t v = 0;
        QVERIFY(decodeFromString(bytes, v));
        QVERIFY(!decodeFromString(bytes + 'x', v));
        const std::string longer = bytes + 'x';  // the Reader only views its input
        Reader r(longer);
        QVERIFY(decodeValue(r, v));
        QCOMPARE(r.remaining(), 1u);
    }

    void typeSignatures() {
        QCOMPARE(typeSignature<int>(), std::string("i32"));
        QCOMPARE(typeSignature<std::uint64_t>(), std::string("u64"));
        QCOMPARE(typeSignature<char>(), std::string("char"));
        QCOMPARE(typeSignature<bool>(), std::string("bool"));
        QCOMPARE(typeSignature<double>(), std::string("f64"));
        QCOMPARE(typeSignature<float>(), std::string("f32"));
        QCOMPARE(typeSignature<std::string>(), std::string("str"));
        QCOMPARE(typeSignature<std::vector<std::string>>(), std::string("vec<str>"));
        QCOMPARE((typeSignature<std::map<std::string, std::vector<int>>>()),
                 std::string("map<str,vec<i32>>"));
        QCOMPARE((typeSignature<std::tuple<int, double, std::string>>()),
                 std::string("tuple<i32,f64,str>"));
        QCOMPARE((typeSignature<std::pair<bool, std::int8_t>>()), std::string("pair<bool,i8>"));
        QCOMPARE(typeSignature<std::optional<std::uint16_t>>(), std::string("opt<u16>"));
        QCOMPARE((typeSignature<std::array<float, 3>>()), std::string("arr3<f32>"));
        QCOMPARE(typeSignature<std::set<int>>(), std::string("set<i32>"));
        QCOMPARE(typeSignature<std::chrono::milliseconds>(), std::string("dur<i64,1/1000>"));
        QCOMPARE(typeSignature<Scoped>(), std::string("enum:i64"));
        QCOMPARE(typeSignature<std::vector<std::byte>>(), std::string("vec<enum:u8>"));
        // Same encoding, same signature: maps and sets do not depend on their ordering.
        QCOMPARE((typeSignature<std::unordered_map<std::string, int>>()),
                 (typeSignature<std::map<std::string, int>>()));
    }

    void typeTagsDifferAndAreStable() {
        const std::vector<std::uint64_t> tags = tagsOfDifferentTypes();
        for (std::size_t i = 0; i < tags.size(); ++i) {
            for (std::size_t j = i + 1; j < tags.size(); ++j) {
                QVERIFY2(tags[i] != tags[j],
                         (std::to_string(i) + " vs " + std::to_string(j)).c_str());
            }
        }
        QCOMPARE(typeTag<int>(), typeTag<std::int32_t>());
        // XXH3-64 of "i32": pinned so that a change of signature or hash is noticed.
        QCOMPARE(typeTag<int>(), detail::hash64("i32"));
    }

    void keyText_data() {
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("actual");
        const auto row = [](const char* name, const std::string& expected, const std::string& got) {
            QTest::newRow(name) << QString::fromStdString(expected) << QString::fromStdString(got);
        };
        row("fib", "fib(42)", makeKeyText("fib", 42));
        row("no args", "now()", makeKeyText("now"));
        row("mixed", "area(3, 4.5, \"m\")", makeKeyText("area", 3, 4.5, std::string("m")));
        row("quote and backslash", "f(\"a\\\"b\\\\c\")", makeKeyText("f", std::string("a\"b\\c")));
        row("control", "f(\"x\\ny\\tz\\x01\")", makeKeyText("f", std::string("x\ny\tz\x01")));
        row("NUL", "f(\"a\\x00b\")", makeKeyText("f", std::string("a\0b", 3)));
        row("non-UTF-8", "f(\"\\xff\\xc0\\x80ok\")",
            makeKeyText("f", std::string("\xff\xc0\x80ok")));
        row("UTF-8 kept", "f(\"caf\xc3\xa9\")", makeKeyText("f", std::string("caf\xc3\xa9")));
        row("bool char", "f(true, 'c', '\\xff')",
            makeKeyText("f", true, 'c', static_cast<char>(0xff)));
        row("negative", "f(-9223372036854775808, 18446744073709551615)",
            makeKeyText("f", std::numeric_limits<std::int64_t>::min(),
                        std::numeric_limits<std::uint64_t>::max()));
        row("floats", "f(-0, nan, -inf, 0.1)",
            makeKeyText("f", -0.0, std::numeric_limits<double>::quiet_NaN(),
                        -std::numeric_limits<double>::infinity(), 0.1));
        row("containers", "f([1, 2], {\"a\": 1}, None, (1, \"x\"), 250ms)",
            makeKeyText("f", std::vector<int>{1, 2}, std::map<std::string, int>{{"a", 1}},
                        std::optional<int>{}, std::pair<int, std::string>{1, "x"},
                        std::chrono::milliseconds{250}));
        row("bytes", "f(bytes[3])", makeKeyText("f", std::vector<std::byte>(3)));
        row("string_view and const char*", "f(\"sv\", \"cp\")",
            makeKeyText("f", std::string_view("sv"), static_cast<const char*>("cp")));
        row("string literal", "f(\"lit\")", makeKeyText("f", "lit"));
    }
    void keyText() {
        QFETCH(QString, expected);
        QFETCH(QString, actual);
        QCOMPARE(actual, expected);
    }

    void keyTextIsBounded_data() {
        QTest::addColumn<QByteArray>("unit");
        QTest::newRow("ascii") << QByteArray("a");
        QTest::newRow("2-byte") << QByteArray("\xc3\xa9");
        QTest::newRow("3-byte") << QByteArray("\xe2\x82\xac");
        QTest::newRow("4-byte") << QByteArray("\xf0\x9f\x98\x80");
        QTest::newRow("mixed") << QByteArray("a\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9");
        QTest::newRow("invalid") << QByteArray("\xff");
    }
    void keyTextIsBounded() {
        QFETCH(QByteArray, unit);
        // Every offset of the cut relative to the multi-byte units.
        for (std::size_t prefix = 0; prefix < 8; ++prefix) {
            for (std::size_t repeat : {50u, 100u, 1000u}) {
                std::string arg(prefix, 'p');
                for (std::size_t i = 0; i < repeat; ++i) arg.append(unit.constData());
                for (const std::string& text :
                     {makeKeyText("g", arg), makeKeyText("g", 1, arg, arg),
                      makeKeyText(std::string(500, 'n'), arg),
                      makeKeyText("g", std::vector<std::string>(1000, arg)),
                      makeKeyText("g", std::map<std::string, std::string>{{arg, arg}})}) {
                    QVERIFY2(text.size() <= kKeyTextLimit + 8, std::to_string(text.size()).c_str());
                    QVERIFY2(QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()))
                                     .toUtf8() ==
                                 QByteArray(text.data(), static_cast<qsizetype>(text.size())),
                             "key text is not valid UTF-8");
                }
            }
        }
        // A large container is cut, not walked to the end.
        std::string text;
        describeValue(text, std::vector<int>(1'000'000, 7));
        QVERIFY2(text.size() < 2 * kKeyTextLimit, std::to_string(text.size()).c_str());
        QVERIFY(text.ends_with("...]"));
    }
};

QTEST_GUILESS_MAIN(TestCodec)
#include "test_codec.moc"
