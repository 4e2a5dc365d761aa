// The inspection layer against caches made by the real python-diskcache and joblib (run with
// Debian's python3): the twat-cache binary's JSON is compared field by field with what the
// libraries report, and hostile caches (escaping paths, symlinks out, corrupt databases,
// code-running pickles, non-UTF-8 keys) are shown and cleared safely.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "inspect/pickle_reader.h"
#include "test_support.h"
#include "twat_cache/inspect.h"

using namespace twat_cache;
using namespace twat_cache::test;
namespace fs = std::filesystem;

namespace {

QJsonDocument parseJson(const std::string& text) {
    return QJsonDocument::fromJson(QByteArray::fromStdString(text));
}

std::string fromHex(const QString& hex) {
    return QByteArray::fromHex(hex.toLatin1()).toStdString();
}

// Copies a fixture cache so that a destructive test leaves the shared one intact.
fs::path copyOf(const fs::path& from, const fs::path& toParent) {
    fs::create_directories(toParent);
    const fs::path to = toParent / from.filename();
    fs::copy(from, to, fs::copy_options::recursive);
    return to;
}

}  // namespace

class TestInspectInterop : public QObject {
    Q_OBJECT

    TempDir m_tmp;
    fs::path m_root, m_hostile, m_outside, m_marker;
    QJsonObject m_report, m_pickles;

    ProcessResult cli(std::vector<std::string> args) {
        return runProcess(TWAT_CACHE_CLI, args, 30000);
    }
    QJsonDocument cliJson(std::vector<std::string> args, int expectedExit = 0) {
        args.push_back("--json");
        auto r = cli(args);
        if (r.exitCode != expectedExit) qWarning("stderr: %s", r.err.c_str());
        [&] { QCOMPARE(r.exitCode, expectedExit); }();
        return parseJson(r.out);
    }
    // What Python's diskcache reports for the cache at `dir` now.
    QJsonObject pythonView(const fs::path& dir) {
        auto r = runProcess(pythonInterpreter(),
                            {"-c",
                             "import sys, json, diskcache\n"
                             "c = diskcache.Cache(sys.argv[1])\n"
                             "print(json.dumps({'len': len(c), 'volume': c.volume()}))",
                             dir.string()});
        return parseJson(r.out).object();
    }
    std::unique_ptr<Source> open(const fs::path& dir, bool readOnly = false) {
        auto info = Discovery::identify(dir);
        if (!info.ok()) return nullptr;
        OpenOptions o;
        o.read_only = readOnly;
        auto src = Discovery::open(*info, o);
        return src.ok() ? std::move(*src) : nullptr;
    }

  private slots:
    void initTestCase() {
        QVERIFY(m_tmp.ok());
        m_root = m_tmp.path() / "root";
        m_hostile = m_tmp.path() / "hostile";
        m_outside = m_tmp.path() / "outside";
        m_marker = m_tmp.path() / "MARKER";
        const fs::path fixtures = sourceDir() / "tests" / "fixtures";
        auto r = runProcess(pythonInterpreter(),
                            {(fixtures / "make_caches.py").string(), m_root.string()});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        m_report = parseJson(r.out).object();
        QVERIFY(!m_report.isEmpty());
        r = runProcess(pythonInterpreter(),
                       {(fixtures / "make_hostile.py").string(), m_hostile.string(),
                        m_outside.string(), m_marker.string()});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        m_pickles = parseJson(r.out).object();
        QVERIFY(!m_pickles.isEmpty());
    }

    void listFindsEveryCache() {
        auto doc = cliJson({"--root", m_root.string(), "list"});
        QVERIFY(doc.isArray());
        std::map<QString, QJsonObject> byName;
        for (const auto& v : doc.array()) byName[v.toObject()["name"].toString()] = v.toObject();
        QCOMPARE(byName.size(), std::size_t(5));
        QCOMPARE(byName["dc_fanout"]["kind"].toString(), QString("diskcache"));
        QCOMPARE(byName["dc_stats"]["entries"].toInt(),
                 m_report["dc_stats"].toObject()["entries"].toInt());
        QCOMPARE(byName["jl"]["kind"].toString(), QString("joblib"));
        QCOMPARE(byName["jl"]["entries"].toInt(), m_report["jl"].toObject()["calls"].toInt());
    }

    void statsMatchDiskcache_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("tracked");
        QTest::newRow("statistics on") << "dc_stats" << true;
        QTest::newRow("statistics never enabled") << "dc_nostats" << false;
        QTest::newRow("FanoutCache") << "dc_fanout" << true;
        QTest::newRow("large") << "dc_big" << false;
    }
    void statsMatchDiskcache() {
        QFETCH(QString, name);
        QFETCH(bool, tracked);
        const QJsonObject py = m_report[name].toObject();
        auto j = cliJson({"--root", m_root.string(), "stats", name.toStdString()}).object();
        QCOMPARE(j["kind"].toString(), QString("diskcache"));
        QCOMPARE(j["path"].toString(),
                 QString::fromStdString((m_root / name.toStdString()).string()));
        QCOMPARE(j["entries"].toInteger(), py["entries"].toInteger());
        // diskcache's volume() is the disk use; bytes are the entries' sizes (the listing's).
        QCOMPARE(j["extra"].toObject()["disk_use"].toInteger(), py["volume"].toInteger());
        auto listed = cliJson({"--root", m_root.string(), "inspect", name.toStdString(), "--limit",
                               "100000", "--budget", "0"})
                          .object();
        qint64 sizes = 0;
        for (const auto& e : listed["entries"].toArray()) sizes += e.toObject()["size"].toInteger();
        QCOMPARE(j["bytes"].toInteger(), sizes);
        QVERIFY(j["evictions"].isNull());
        if (tracked) {
            QCOMPARE(j["hits"].toInteger(), py["hits"].toInteger());
            QCOMPARE(j["misses"].toInteger(), py["misses"].toInteger());
            const double ratio = double(py["hits"].toInteger()) /
                                 double(py["hits"].toInteger() + py["misses"].toInteger());
            QCOMPARE(j["hit_ratio"].toDouble(), ratio);
        } else {
            QVERIFY(j["hits"].isNull());
            QVERIFY(j["misses"].isNull());
            QVERIFY(j["hit_ratio"].isNull());
            QVERIFY(j["note"].toString().contains("never enabled"));
        }
    }

    void inspectKeysMatchDiskcache() {
        auto j =
            cliJson({"--root", m_root.string(), "inspect", "dc_stats", "--limit", "100"}).object();
        QVERIFY(j["cursor"].isNull());
        std::set<QString> ours, theirs;
        QJsonObject byKey;
        for (const auto& e : j["entries"].toArray()) {
            ours.insert(e.toObject()["key"].toString());
            byKey[e.toObject()["key"].toString()] = e;
        }
        for (const auto& k : m_report["dc_stats"].toObject()["keys"].toArray())
            theirs.insert(k.toString());
        QCOMPARE(ours, theirs);
        QVERIFY(ours.count("b'\\xff\\xfe-raw'") == 1);  // a bytes key that is not UTF-8
        QVERIFY(ours.count("('fib', 42)") == 1);        // a pickled tuple key
        QCOMPARE(byKey["key-0"].toObject()["tag"].toString(), QString("even"));
        QVERIFY(byKey["key-0"].toObject()["expires"].isNull());
        QVERIFY(byKey["expired-1"].toObject()["expires"].toString().endsWith("Z"));
        QVERIFY(byKey["key-0"].toObject()["stored"].toString().contains("T"));
        QCOMPARE(byKey["big"].toObject()["size"].toInt(), 100000);
    }

    void pagesWithCursor() {
        std::set<QString> seen;
        std::string cursor;
        for (int guard = 0; guard < 100; ++guard) {
            std::vector<std::string> args = {"--root",    m_root.string(), "inspect",
                                             "dc_fanout", "--limit",       "7"};
            if (!cursor.empty()) args.insert(args.end(), {"--cursor", cursor});
            auto j = cliJson(args).object();
            const auto entries = j["entries"].toArray();
            QVERIFY(entries.size() <= 7);
            for (const auto& e : entries)
                QVERIFY(seen.insert(e.toObject()["key"].toString()).second);
            if (j["cursor"].isNull()) break;
            cursor = j["cursor"].toString().toStdString();
        }
        QCOMPARE(seen.size(), std::size_t(40));
        auto filtered =
            cliJson({"--root", m_root.string(), "inspect", "dc_fanout", "--match", "f-1?"})
                .object();
        QCOMPARE(filtered["entries"].toArray().size(), 10);
    }

    void detailOfSpilledAndPickledValues() {
        auto src = open(m_root / "dc_stats", true);
        QVERIFY(src);
        auto page = src->entries("", 100, EntryFilter{"big", ""});
        QVERIFY(page.ok() && page->entries.size() == 1);
        auto d = src->detail(page->entries[0].id);
        QVERIFY2(d.ok(), d.status().toString().c_str());
        QCOMPARE(d->value_kind, std::string("binary"));
        QVERIFY(!d->value_file.empty() && fs::exists(d->value_file));
        QVERIFY(d->truncated);
        QCOMPARE(d->value_bytes.size(), std::size_t(64 * 1024));
        page = src->entries("", 100, EntryFilter{"key-3", ""});
        QVERIFY(page.ok() && page->entries.size() == 1);
        d = src->detail(page->entries[0].id);
        QVERIFY(d.ok());
        QCOMPARE(d->preview, std::string("{'n': 3, 'items': [3, 6]}"));
    }

    void pickleProtocolsRenderLikeRepr() {
        const auto simple = m_pickles["simple"].toObject();
        const auto simplePickles = simple["pickles"].toArray();
        QCOMPARE(simplePickles.size(), 6);
        for (int p = 0; p < 6; ++p) {
            auto r = detail::renderPickle(fromHex(simplePickles[p].toString()));
            QVERIFY2(r.ok(), r.status().toString().c_str());
            QCOMPARE(QString::fromStdString(*r), simple["repr"].toString());
        }
        const auto full = m_pickles["full"].toObject();
        for (const auto& hex : full["pickles"].toArray()) {
            auto r = detail::renderPickle(fromHex(hex.toString()));
            QVERIFY2(r.ok(), r.status().toString().c_str());
            QCOMPARE(QString::fromStdString(*r), full["repr"].toString());
        }
    }

    void joblibCalls() {
        const fs::path store = copyOf(m_root / "jl", m_tmp.path() / "jl_copy_parent");
        auto src = open(store);
        QVERIFY(src);
        QCOMPARE(src->info().kind, SourceKind::kJoblib);
        auto page = src->entries("", 100, {});
        QVERIFY(page.ok());
        QCOMPARE(page->entries.size(), std::size_t(5));
        std::string victim;
        for (const auto& e : page->entries) {
            QVERIFY(e.size > 0);
            if (e.key_text == "square(x=2)") victim = e.id;
        }
        QVERIFY(!victim.empty());
        auto d = src->detail(victim);
        QVERIFY(d.ok());
        QCOMPARE(d->preview, std::string("4"));
        auto plan = src->plan(
            PlanRequest{.action = PlanRequest::Action::kDeleteEntries, .entry_ids = {victim}});
        QVERIFY(plan.ok());
        auto r = (*plan)->execute();
        QVERIFY(r.ok());
        QCOMPARE(r->deleted, 1u);
        QVERIFY(!fs::exists(store / "joblib" / victim));
        QCOMPARE(src->entries("", 100, {})->entries.size(), std::size_t(4));
    }

    // joblib records each call's duration in metadata.json: shown per entry and summed in
    // the totals. diskcache records none: not recorded, never 0 (also in the CLI).
    void computeTimes() {
        auto src = open(m_root / "jl");
        QVERIFY(src);
        auto page = src->entries("", 100, {});
        QVERIFY(page.ok());
        std::uint64_t sum = 0;
        for (const auto& e : page->entries) {
            std::ifstream in(m_root / "jl" / "joblib" / e.id / "metadata.json");
            const std::string text((std::istreambuf_iterator<char>(in)), {});
            const QJsonObject meta = parseJson(text).object();
            QVERIFY2(meta.contains("duration"), text.c_str());
            const auto expected = static_cast<std::uint64_t>(meta["duration"].toDouble() * 1e9);
            QVERIFY(e.compute_ns);
            QCOMPARE(*e.compute_ns, expected);
            QVERIFY(!e.saved_ns);  // joblib counts no hits
            sum += expected;
        }
        auto st = src->stats();
        QVERIFY(st.ok());
        QCOMPARE(st->compute_ns.value_or(0), sum);
        QVERIFY(!st->saved_ns);

        auto dc = open(m_root / "dc_stats");
        QVERIFY(dc);
        auto dst = dc->stats();
        QVERIFY(dst.ok());
        QVERIFY(!dst->compute_ns);
        QVERIFY(!dst->saved_ns);
        auto dpage = dc->entries("", 10, {});
        QVERIFY(dpage.ok() && !dpage->entries.empty());
        QVERIFY(!dpage->entries.front().compute_ns);
        const QJsonObject j = cliJson({"--root", m_root.string(), "stats", "dc_stats"}).object();
        QVERIFY(j.contains("time_saved_s"));
        QVERIFY(j["time_saved_s"].isNull());
        QVERIFY(j["compute_time_s"].isNull());
        const QJsonObject jl = cliJson({"--root", m_root.string(), "stats", "jl"}).object();
        QVERIFY(jl["compute_time_s"].isDouble());
        QVERIFY(jl["time_saved_s"].isNull());
    }

    void dryRunAndConfirmation() {
        auto j = cliJson({"--root", m_root.string(), "clear", "dc_stats", "--expired", "--dry-run"})
                     .object();
        QCOMPARE(j["matched"].toInt(), 2);
        QCOMPARE(j["deleted"].toInt(), 0);
        QCOMPARE(j["bytes_freed"].toInt(), 0);
        QCOMPARE(j["dry_run"].toBool(), true);
        auto r = cli({"--root", m_root.string(), "clear", "dc_stats", "--expired"});
        QCOMPARE(r.exitCode, 3);  // not a terminal and no --yes
        QCOMPARE(pythonView(m_root / "dc_stats")["len"].toInt(),
                 m_report["dc_stats"].toObject()["entries"].toInt());
        QCOMPARE(cli({"--root", m_root.string(), "clear", "dc_stats"}).exitCode, 2);
        QCOMPARE(cli({"--root", m_root.string(), "prune", "dc_stats"}).exitCode, 2);
        QCOMPARE(cli({"--root", m_root.string(), "stats"}).exitCode, 2);
        QCOMPARE(cli({"--root", m_root.string(), "stats", "no-such-cache"}).exitCode, 1);
    }

    void clearExpiredUpdatesSettingsLikeDiskcache() {
        const fs::path dir = copyOf(m_root / "dc_stats", m_tmp.path() / "expired_copy");
        auto j = cliJson({"clear", dir.string(), "--expired", "--yes"}).object();
        QCOMPARE(j["matched"].toInt(), 2);
        QCOMPARE(j["deleted"].toInt(), 2);
        QCOMPARE(j["dry_run"].toBool(), false);
        const auto py = pythonView(dir);
        QCOMPARE(py["len"].toInt(), m_report["dc_stats"].toObject()["entries"].toInt() - 2);
        auto st = cliJson({"stats", dir.string()}).object();
        QCOMPARE(st["entries"].toInt(), py["len"].toInt());
        QCOMPARE(st["extra"].toObject()["disk_use"].toInteger(), py["volume"].toInteger());
        // Removing the spilled value removes its file too, as diskcache would.
        auto big = cliJson({"clear", dir.string(), "--match", "big", "--yes"}).object();
        QCOMPARE(big["deleted"].toInt(), 1);
        QCOMPARE(big["bytes_freed"].toInt(), 100000);
        QCOMPARE(pythonView(dir)["len"].toInt(), py["len"].toInt() - 1);
    }

    void planPreviewExecuteWithCancel() {
        const fs::path dir = copyOf(m_root / "dc_big", m_tmp.path() / "cancel_copy");
        auto src = open(dir);
        QVERIFY(src);
        auto plan = src->plan(PlanRequest{.action = PlanRequest::Action::kClearAll});
        QVERIFY(plan.ok());
        QCOMPARE((*plan)->preview().count, 1000u);
        QCOMPARE((*plan)->preview().sample.size(), PlanPreview::kSampleSize);
        std::atomic<bool> cancel{false};
        std::uint64_t calls = 0;
        auto r = (*plan)->execute(
            [&](std::uint64_t done, std::uint64_t total) {
                ++calls;
                QCOMPARE(total, 1000u);
                if (done >= 200) cancel = true;
            },
            &cancel);
        QVERIFY(r.ok());
        QVERIFY(r->cancelled);
        QCOMPARE(calls, 1u);
        QCOMPARE(r->deleted, 200u);
        QCOMPARE(pythonView(dir)["len"].toInt(), 800);

        auto prune =
            src->plan(PlanRequest{.action = PlanRequest::Action::kPruneToEntries, .limit = 500});
        QVERIFY(prune.ok());
        QCOMPARE((*prune)->preview().count, 300u);
        QVERIFY((*prune)->execute().ok());
        QCOMPARE(pythonView(dir)["len"].toInt(), 500);
    }

    void readOnlyRefusesChanges() {
        auto src = open(m_root / "dc_nostats", true);
        QVERIFY(src);
        auto plan = src->plan(PlanRequest{.action = PlanRequest::Action::kClearAll});
        QVERIFY(plan.ok());
        QCOMPARE((*plan)->preview().count, 7u);
        auto r = (*plan)->execute();
        QVERIFY(!r.ok());
        QCOMPARE(r.status().code(), StatusCode::kPermissionDenied);
        QCOMPARE(pythonView(m_root / "dc_nostats")["len"].toInt(), 7);
    }

    void escapingFilenamesAreRefused() {
        // Some entries could not go: the command fails (exit 1) with what it did (issue 19).
        auto j = cliJson({"clear", (m_hostile / "escape").string(), "--all", "--yes"}, 1).object();
        QCOMPARE(j["deleted"].toInt(), 3);
        QCOMPARE(j["refused"].toArray().size(), 2);
        QCOMPARE(j["bytes_freed"].toInt(), 5);  // only the inline value; the outside files stay
        for (const char* name : {"victim.txt", "victim2.txt"}) {
            std::ifstream in(m_outside / name);
            std::string text;
            std::getline(in, text);
            QCOMPARE(text, std::string("must survive"));
        }
        QCOMPARE(pythonView(m_hostile / "escape")["len"].toInt(), 0);
    }

    // A row naming the database (or any file diskcache would not make) as its value file:
    // the row goes, the file stays (issue 19; python-diskcache itself deletes it).
    void foreignValueFileNamesAreNeverDeleted() {
        const fs::path dir = m_hostile / "selfdb";
        auto j = cliJson({"clear", dir.string(), "--match", "x-*", "--yes"}, 1).object();
        QCOMPARE(j["deleted"].toInt(), 2);
        QCOMPARE(j["refused"].toArray().size(), 2);
        QVERIFY(j["refused"].toArray()[0].toString().contains("not one diskcache makes"));
        QVERIFY(fs::exists(dir / "cache.db"));
        QVERIFY(fs::exists(dir / "notes.txt"));
        QCOMPARE(pythonView(dir)["len"].toInt(), 1);
    }

    // A key nested 400,000 deep crashed every command that read it (issue 19).
    void deeplyNestedKeyIsListedAndCleared() {
        const fs::path dir = m_hostile / "deep";
        auto page = cli({"inspect", dir.string(), "--json"});
        QCOMPARE(page.exitCode, 0);
        QVERIFY2(page.out.find("[[[[") != std::string::npos, page.out.substr(0, 400).c_str());
        auto text = cli({"inspect", dir.string()});
        QCOMPARE(text.exitCode, 0);
        auto cleared = cliJson({"clear", dir.string(), "--all", "--yes"}).object();
        QCOMPARE(cleared["deleted"].toInt(), 2);
        QCOMPARE(pythonView(dir)["len"].toInt(), 0);
    }

    void symlinkOutIsRefused() {
        auto j = cliJson({"clear", (m_hostile / "links").string(), "--all", "--yes"}, 1).object();
        QCOMPARE(j["matched"].toInt(), 2);
        QCOMPARE(j["deleted"].toInt(), 1);
        QCOMPARE(j["refused"].toArray().size(), 1);
        QVERIFY(j["refused"].toArray()[0].toString().contains("out.txt"));
        QVERIFY(fs::exists(m_outside / "victim3.txt"));
        QVERIFY(fs::is_symlink(m_hostile / "links" / "out.txt"));
        QVERIFY(!fs::exists(m_hostile / "links" / "inside.bin"));
    }

    void corruptDatabaseIsAClearError() {
        auto r = cli({"stats", (m_hostile / "corrupt").string()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("corrupt") != std::string::npos &&
                     r.err.find("cache.db") != std::string::npos,
                 r.err.c_str());
    }

    // A FIFO where a value, metadata or plain file is expected hung inspect, --entry and
    // stats forever (issue 19): each command now finishes, and the detail names the FIFO.
    void specialFilesNeverBlock() {
        auto run = [](std::vector<std::string> args) {
            auto r = runProcess(TWAT_CACHE_CLI, args, 15000);
            [&] {
                QVERIFY2(r.finished, ("hung: twat-cache " + args[0] + " " + args[1]).c_str());
                QVERIFY2(r.exitCode == 0, (args[0] + " " + args[1] + ": " + r.err).c_str());
            }();
            return r;
        };
        for (const char* name : {"fifo_dc", "fifo_jl", "fifo_dir"}) {
            const std::string dir = (m_hostile / name).string();
            run({"stats", dir});
            auto page = run({"inspect", dir, "--json"});
            if (QTest::currentTestFailed()) return;
            bool sawFifo = false;
            for (const auto& e : parseJson(page.out).object()["entries"].toArray()) {
                const std::string id = e.toObject()["id"].toString().toStdString();
                auto detail = run({"inspect", dir, "--entry", id, "--json"});
                if (QTest::currentTestFailed()) return;
                sawFifo = sawFifo || detail.out.find("FIFO") != std::string::npos;
            }
            QVERIFY2(sawFifo, name);
        }
        auto cleared = run({"clear", (m_hostile / "fifo_dir").string(), "--all", "--yes"});
        QVERIFY(!fs::exists(m_hostile / "fifo_dir" / "pipe.bin"));
    }

    void codeRunningPicklesAreOnlyShown() {
        auto j = cliJson({"inspect", (m_hostile / "evil").string()}).object();
        QStringList keys;
        for (const auto& e : j["entries"].toArray()) keys << e.toObject()["key"].toString();
        QVERIFY2(keys.contains("(<object posix.system via REDUCE>, 'k')"),
                 qPrintable(keys.join(" | ")));
        auto d = cliJson({"inspect", (m_hostile / "evil").string(), "--entry", "0:1"}).object();
        QCOMPARE(d["preview"].toString(), QString("<object posix.system via REDUCE>"));
        QVERIFY(!fs::exists(m_marker));
    }
};

QTEST_GUILESS_MAIN(TestInspectInterop)
#include "test_inspect_interop.moc"
