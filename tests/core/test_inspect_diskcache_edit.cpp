// Changing the expiry of a python-diskcache entry through the inspection layer (its
// expire_time column, as diskcache's own touch() does), read back by the real diskcache
// (Debian's python3): a TTL that is due makes the entry miss, persist makes it stay, the value
// stays; an entry stored again since it was listed is kept; nothing else can be edited.
#include <QtTest>

#include "test_support.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using namespace std::chrono_literals;
using test::runProcess;
namespace fs = std::filesystem;

class TestInspectDiskcacheEdit : public QObject {
    Q_OBJECT

    test::TempDir m_tmp;
    fs::path m_dir;
    int m_caches = 0;  // a new cache per test

    // Runs `code` with diskcache.Cache(<the cache>) as `c`; its printed output.
    std::string python(const std::string& code) {
        auto r = runProcess(
            test::pythonInterpreter(),
            {"-c", "import sys, time, diskcache\nc = diskcache.Cache(sys.argv[1])\n" + code,
             m_dir.string()});
        if (r.exitCode != 0) qWarning("python: %s", r.err.c_str());
        return r.out;
    }

    std::unique_ptr<Source> open() {
        auto info = Discovery::identify(m_dir);
        if (!info.ok()) qFatal("identify: %s", info.status().toString().c_str());
        OpenOptions o;
        o.audit = false;
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }

    // The listed entry whose key text is `key` (diskcache shows a str key as its repr).
    static EntrySummary entry(Source& src, const std::string& key) {
        auto page = src.entries("", 100);
        if (!page.ok()) qFatal("entries: %s", page.status().toString().c_str());
        for (auto& e : page->entries) {
            if (e.key_text == "'" + key + "'" || e.key_text == key) return e;
        }
        qFatal("no entry %s", key.c_str());
    }

    static EditRequest expiry(const EntrySummary& e, std::optional<std::chrono::milliseconds> ttl) {
        EditRequest r;
        r.action = ttl ? EditAction::kSetTtl : EditAction::kPersist;
        r.entry_id = e.id;
        r.ttl = ttl.value_or(0ms);
        r.fingerprint = e.fingerprint;
        return r;
    }

  private slots:
    void init() {
        m_dir = m_tmp.path() / ("dc" + std::to_string(++m_caches));
        const std::string out = python(
            "c.set('a', 'value a')\nc.set('b', 'value b', expire=3600)\n"
            "c.set('c', 'value c')\nprint(len(c))");
        if (out.find('3') == std::string::npos) QSKIP("python3-diskcache is not available");
    }

    void expiryChangesAsDiskcacheReadsIt() {
        auto src = open();
        QVERIFY(src->supportsEdit(EditAction::kSetTtl).ok());
        auto done = src->edit(expiry(entry(*src, "a"), 1ms));
        QVERIFY2(done.ok(), done.status().toString().c_str());
        done = src->edit(expiry(entry(*src, "b"), std::nullopt));
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QVERIFY(!done->entry.expires_ms.has_value());
        done = src->edit(expiry(entry(*src, "c"), 2h));
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QVERIFY(done->entry.expires_ms.has_value());
        // diskcache itself: 'a' is due (a miss), 'b' never expires, 'c' in about two hours.
        const std::string seen = python(
            "time.sleep(0.01)\n"
            "print(c.get('a'))\n"
            "print(c.get('b', expire_time=True))\n"
            "v, t = c.get('c', expire_time=True)\n"
            "print(v, 7100 < t - time.time() <= 7200)\n");
        QCOMPARE(QString::fromStdString(seen),
                 QStringLiteral("None\n('value b', None)\nvalue c True\n"));
    }

    void anEntryStoredAgainIsKept() {
        auto src = open();
        const EntrySummary shown = entry(*src, "a");
        python("time.sleep(0.002)\nc.set('a', 'again')");
        auto refused = src->edit(expiry(shown, 1ms));
        QCOMPARE(refused.status().code(), StatusCode::kBusy);
        QCOMPARE(QString::fromStdString(python("time.sleep(0.01)\nprint(c.get('a'))")),
                 QStringLiteral("again\n"));
        EditRequest rename = expiry(shown, 1s);
        rename.action = EditAction::kRename;
        rename.new_key = "z";
        QCOMPARE(src->edit(rename).status().code(), StatusCode::kNotSupported);
    }
};

QTEST_GUILESS_MAIN(TestInspectDiskcacheEdit)
#include "test_inspect_diskcache_edit.moc"
