// Fixtures for the UI tests: real caches made by real peers, an isolated QSettings, and a
// helper that answers the next message box.
//
// python-diskcache caches are written by Debian's python3 (TWAT_CACHE_TEST_PYTHON), native
// caches by our own sqlite engine, Redis keys by python3-redis into a real redis-server;
// never faked.
#pragma once

#include <QApplication>
#include <QInputDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStringList>
#include <QTimer>
#include <filesystem>
#include <memory>
#include <string>

#include "models/entries_model.h"
#include "test_support.h"
#include "twat_cache/codec.h"
#include "twat_cache/config.h"
#include "twat_cache/engine.h"
#include "twat_cache/key.h"

namespace twat_cache::test {

// A python-diskcache Cache in `dir` with `count` entries "key-000" → "value-0", ...; plus
// `expired` entries "old-0", ... that expired an hour ago and a JSON bytes value under
// "json-doc". Returns an empty string on success, else what went wrong.
inline std::string makeDiskcache(const std::filesystem::path& dir, int count, int expired = 0) {
    static const char* kScript = R"(
import sys, diskcache
c = diskcache.Cache(sys.argv[1], cull_limit=0)  # keep expired entries on disk
for i in range(int(sys.argv[2])):
    c.set("key-%03d" % i, "value-%d" % i)
for i in range(int(sys.argv[3])):
    c.set("old-%d" % i, "stale", expire=-3600)
c.set("json-doc", b'{"name": "geo", "points": [1, 2, 3]}')
c.close()
)";
    auto result = runProcess(
        pythonInterpreter(),
        {"-c", kScript, dir.string(), std::to_string(count), std::to_string(expired)}, 60000);
    if (!result.finished || result.exitCode != 0) {
        return "python-diskcache fixture failed: " + result.err;
    }
    return {};
}

// Keys python-diskcache sees in `dir`, sorted.
inline QStringList diskcacheKeys(const std::filesystem::path& dir) {
    auto result =
        runProcess(pythonInterpreter(), {"-c",
                                         "import sys, diskcache\nc = diskcache.Cache(sys.argv[1])\n"
                                         "print('\\n'.join(sorted(str(k) for k in c.iterkeys())))",
                                         dir.string()});
    if (!result.finished || result.exitCode != 0) return {QStringLiteral("ERROR")};
    return QString::fromStdString(result.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// Opens the native sqlite cache `name` under `root`, with `clock` (nullptr: the system's).
inline Result<std::unique_ptr<Engine>> openNative(const std::filesystem::path& root,
                                                  const std::string& name,
                                                  std::shared_ptr<Clock> clock = nullptr) {
    CacheConfig config;
    config.name = name;
    config.cache_dir = root;
    config.clock = clock ? std::move(clock) : Clock::system();
    auto resolved =
        resolveConfig(config, [](std::string_view) { return std::optional<std::string>(); });
    if (!resolved.ok()) return resolved.status();
    return openEngine(EngineKind::kSqlite, *resolved);
}

// A native sqlite cache `name` under `root`, written by our engine: `live` entries
// "item(0)".. with string values, a JSON text under "doc(1)", one hit and one miss, and
// `expired` entries "old(0)".. whose one-hour TTL ran out an hour ago. Returns an empty
// string on success.
inline std::string makeNativeCache(const std::filesystem::path& root, const std::string& name,
                                   int live, int expired) {
    auto put = [](Engine& engine, const std::string& fn, std::int64_t arg, const std::string& value,
                  std::optional<std::chrono::milliseconds> ttl) {
        const std::string text = makeKeyText(fn, arg);
        const std::string payload = encodeToString(value);
        Record r;
        r.key_text = text;
        r.payload = payload;
        r.type_tag = typeTag<std::string>();
        r.ttl = ttl;
        return engine.set(makeKey(fn, arg), r);
    };
    auto engine = openNative(root, name);
    if (!engine.ok()) return engine.status().toString();
    for (int i = 0; i < live; ++i) {
        Status s = put(**engine, "item", i, "value " + std::to_string(i), std::nullopt);
        if (!s.ok()) return s.toString();
    }
    Status s = put(**engine, "doc", 1, R"({"name": "geo", "points": [1, 2, 3]})", std::nullopt);
    if (!s.ok()) return s.toString();
    (void)(*engine)->get(makeKey("item", std::int64_t{0}));   // a hit
    (void)(*engine)->get(makeKey("item", std::int64_t{-1}));  // a miss
    s = (*engine)->flush();
    if (!s.ok()) return s.toString();
    (*engine).reset();
    // Last, because every write culls expired entries (with the clock it was opened with).
    auto past = std::make_shared<ManualClock>(Clock::system()->nowMs() - 2 * 3600 * 1000);
    auto old = openNative(root, name, past);
    if (!old.ok()) return old.status().toString();
    for (int i = 0; i < expired; ++i) {
        s = put(**old, "old", i, "stale", std::chrono::hours(1));
        if (!s.ok()) return s.toString();
    }
    s = (*old)->flush();
    return s.ok() ? std::string() : s.toString();
}

// Key texts our engine lists in the native cache `name` under `root` (all, expired too),
// sorted; {"ERROR: ..."} when it cannot be read.
inline QStringList nativeKeys(const std::filesystem::path& root, const std::string& name) {
    auto engine = openNative(root, name);
    if (!engine.ok()) return {QString::fromStdString("ERROR: " + engine.status().toString())};
    QStringList keys;
    std::string cursor;
    for (int round = 0; round < 1000; ++round) {
        auto page = (*engine)->scan(cursor, 100);
        if (!page.ok()) return {QString::fromStdString("ERROR: " + page.status().toString())};
        for (const auto& e : page->entries) keys << QString::fromStdString(e.key_text);
        cursor = page->cursor;
        if (cursor.empty()) break;
    }
    keys.sort();
    return keys;
}

// Runs a python3-redis snippet against the server at `url` (`r` is the client); returns its
// stdout lines, or {"ERROR: ..."}.
inline QStringList redisPython(const std::string& url, const std::string& body) {
    const std::string script = "import sys, redis\nr = redis.Redis.from_url(sys.argv[1])\n" + body;
    auto result = runProcess(pythonInterpreter(), {"-c", script, url}, 60000);
    if (!result.finished || result.exitCode != 0) {
        return {QString::fromStdString("ERROR: " + result.err)};
    }
    return QString::fromStdString(result.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// Every key of the database at `url`, sorted.
inline QStringList redisKeys(const std::string& url) {
    QStringList keys =
        redisPython(url, "print('\\n'.join(k.decode() for k in r.scan_iter(count=1000)))");
    keys.sort();
    return keys;
}

// The keys of the rows `model` has loaded, sorted.
inline QStringList loadedKeys(const ui::EntriesModel& model) {
    QStringList keys;
    for (const ui::EntryRow& row : model.rows()) keys << row.key;
    keys.sort();
    return keys;
}

// Points QSettings (all formats, user scope) at `dir` and turns on QStandardPaths' test
// mode, so a test never reads or writes the user's real settings.
inline void isolateSettings(const std::filesystem::path& dir) {
    QStandardPaths::setTestModeEnabled(true);
    const QString path = QString::fromStdString(dir.string());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, path);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, path);
}

// Types `text` into the next text prompt (a QInputDialog) that opens and accepts it (polls
// every 10 ms, at most 5 s).
inline void answerNextTextPrompt(const QString& text) {
    auto* timer = new QTimer(qApp);
    auto tries = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, tries, text] {
        auto* prompt = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
        if (prompt != nullptr) {
            prompt->setTextValue(text);
            prompt->accept();
        }
        if (prompt != nullptr || ++*tries > 500) timer->deleteLater();
    });
    timer->start(10);
}

// Clicks `button` in the next message box that opens (polls the modal widget every 10 ms,
// at most 5 s) and copies its text into `*text` when given.
inline void answerNextMessageBox(QMessageBox::StandardButton button, QString* text) {
    auto* timer = new QTimer(qApp);
    auto tries = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, tries, button, text] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (box != nullptr) {
            if (text) *text = box->text() + QLatin1Char('\n') + box->informativeText();
            box->button(button)->click();
        }
        if (box != nullptr || ++*tries > 500) timer->deleteLater();
    });
    timer->start(10);
}

}  // namespace twat_cache::test
