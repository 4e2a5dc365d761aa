// Listing export (twat_cache/listing_export.h) and `twat-cache inspect --all`: 100k+ entries
// of a real redis-server and of a python-diskcache cache written to CSV and JSON Lines and read
// back (every entry exactly once, the same key texts as the listing), RFC 4180 quoting round
// trips (commas, quotes, CR/LF, bytes that are not UTF-8), a cancelled export leaves no file
// (and an existing one unchanged), --match is honoured, and a Redis glob delete deletes only
// what its preview described.
#include <sys/stat.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "redis_commands.h"
#include "redis_server.h"
#include "twat_cache/inspect.h"
#include "twat_cache/listing_export.h"

using namespace twat_cache;
namespace fs = std::filesystem;
using test::RedisServer;

namespace {

constexpr int kKeys = 100'000;

// An RFC 4180 reader written apart from the writer: rows of fields, CRLF or LF line ends.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"') {
            quoted = true;
            any = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            row.push_back(std::move(field));
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
            any = false;
        } else {
            field += c;
            any = true;
        }
    }
    if (any || !row.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Every entry the source lists (key text by id), through Source::entries alone.
std::map<std::string, std::string> listAll(Source& source) {
    std::map<std::string, std::string> out;
    std::string cursor;
    do {
        auto page = source.entries(cursor, 5000);
        if (!page.ok()) qFatal("entries: %s", page.status().toString().c_str());
        for (const auto& e : page->entries) out[e.id] = e.key_text;
        cursor = page->cursor;
    } while (!cursor.empty());
    return out;
}

// The key texts by id of an export file, failing the test on a duplicate id.
std::map<std::string, std::string> readExport(const fs::path& path, ListingFormat format) {
    std::map<std::string, std::string> out;
    const std::string text = readAll(path);
    if (format == ListingFormat::kCsv) {
        auto rows = parseCsv(text);
        if (rows.empty()) qFatal("empty CSV");
        const std::vector<std::string> header(listingColumns().begin(), listingColumns().end());
        if (rows[0] != header) qFatal("CSV header differs");
        for (std::size_t i = 1; i < rows.size(); ++i) {
            if (rows[i].size() != header.size()) qFatal("CSV row %zu has the wrong width", i);
            if (!out.emplace(rows[i][1], rows[i][0]).second)
                qFatal("id twice: %s", rows[i][1].c_str());
        }
        return out;
    }
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        QJsonParseError error;
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(line), &error);
        if (error.error != QJsonParseError::NoError) qFatal("not JSON: %s", line.c_str());
        const auto id = doc.object().value("id").toString().toStdString();
        if (!out.emplace(id, doc.object().value("key").toString().toStdString()).second) {
            qFatal("id twice: %s", id.c_str());
        }
    }
    return out;
}

}  // namespace

class TestListingExport : public QObject {
    Q_OBJECT

    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<test::TempDir> m_dir;

    std::unique_ptr<Source> openTarget(const std::string& target) {
        auto info =
            Discovery::isUrl(target) ? Discovery::identifyUrl(target) : Discovery::identify(target);
        if (!info.ok()) qFatal("identify: %s", info.status().toString().c_str());
        OpenOptions o;
        o.audit_log = m_dir->path() / "audit.jsonl";
        auto src = Discovery::open(*info, o);
        if (!src.ok()) qFatal("open: %s", src.status().toString().c_str());
        return std::move(*src);
    }

    // Exports `source` in both formats and checks each file against the listing.
    void checkExports(Source& source, std::size_t expected) {
        const auto listed = listAll(source);
        QCOMPARE(listed.size(), expected);
        for (const ListingFormat format : {ListingFormat::kCsv, ListingFormat::kJsonLines}) {
            const fs::path path = m_dir->path() / "listing.out";
            std::uint64_t lastWritten = 0;
            int calls = 0;
            ListingExportOptions options;
            options.format = format;
            auto done = exportListing(
                source, options, path,
                [&](std::uint64_t written, std::uint64_t, std::optional<std::uint64_t>) {
                    QVERIFY(written >= lastWritten);
                    lastWritten = written;
                    ++calls;
                });
            QVERIFY2(done.ok(), done.status().toString().c_str());
            QCOMPARE(done->written, static_cast<std::uint64_t>(expected));
            QVERIFY(!done->cancelled);
            QVERIFY(calls > 1);  // streamed page by page
            QCOMPARE(lastWritten, done->written);
            QCOMPARE(readExport(path, format), listed);
        }
    }

  private slots:
    void initTestCase() {
        if (!RedisServer::available()) QSKIP(RedisServer::skipReason().c_str());
        m_server = std::make_unique<RedisServer>();
        const std::string error = m_server->start();
        QVERIFY2(error.empty(), error.c_str());
    }

    void init() {
        m_dir = std::make_unique<test::TempDir>();
        QVERIFY(test::runRedisCommands(m_server->port(), {{"FLUSHALL"}}));
    }

    void csvQuotingRoundTrips() {
        EntrySummary e;
        e.key_text = "a,b \"quoted\"\r\nnext line\n\xff\xfe raw bytes";
        e.id = "id,1";
        e.size = 42;
        e.type = "string";
        e.expires_ms = 1'700'000'000'000;
        e.hits = 7;
        e.tag = "tag with \"quotes\", commas\nand a newline";
        const std::string text = listingCsvHeader() + listingCsvRow(e) + listingCsvRow(e);
        const auto rows = parseCsv(text);
        QCOMPARE(rows.size(), std::size_t{3});
        for (std::size_t r = 1; r < 3; ++r) {
            QCOMPARE(rows[r].size(), listingColumns().size());
            QCOMPARE(rows[r][0], e.key_text);
            QCOMPARE(rows[r][1], e.id);
            QCOMPARE(rows[r][2], std::string("42"));
            QCOMPARE(rows[r][4], std::string());  // length not known
            QCOMPARE(rows[r][5], std::string("1700000000000"));
            QCOMPARE(rows[r][8], std::string("7"));
            QCOMPARE(rows[r][9], e.tag);
        }
        QCOMPARE(csvField("plain"), std::string("plain"));
        QCOMPARE(csvField("a\"b"), std::string("\"a\"\"b\""));
        // JSON Lines: one line, valid JSON, whatever the bytes.
        const std::string line = listingJsonLine(e);
        QCOMPARE(std::count(line.begin(), line.end(), '\n'), 1L);
        QJsonParseError error;
        const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(line), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(doc.object().value("id").toString(), QStringLiteral("id,1"));
        QVERIFY(doc.object().value("length").isNull());
    }

    void redisExportsEveryKeyOnce() {
        std::vector<std::pair<std::string, std::string>> pairs;
        for (int i = 0; i < kKeys; ++i) pairs.emplace_back("k:" + std::to_string(i), "v");
        for (const char* key : {"a,b", "q\"uote", "new\nline", "cr\r\nlf", "bin\xff\xfe,\"x"}) {
            pairs.emplace_back(key, "tricky");
        }
        QVERIFY(test::runRedisCommands(m_server->port(), test::msetCommands(pairs)));
        QVERIFY(test::runRedisCommands(m_server->port(), {{"HSET", "h,1", "f", "v"}}));
        auto src = openTarget(m_server->url());
        checkExports(*src, pairs.size() + 1);
    }

    void diskcacheExportsEveryEntryOnce() {
        const fs::path cache = m_dir->path() / "dc";
        const std::string script =
            "import diskcache, sys\n"
            "c = diskcache.Cache(sys.argv[1])\n"
            "with c.transact():\n"
            "    for i in range(int(sys.argv[2])):\n"
            "        c.set('key-%06d' % i, i)\n"
            "    for k in ['a,b', 'q\"uote', 'new\\nline', b'bin\\xff\\xfe,\"x']:\n"
            "        c.set(k, 'tricky', tag='t,\"1\"')\n"
            "c.close()\n";
        auto made = test::runProcess(test::pythonInterpreter(),
                                     {"-c", script, cache.string(), std::to_string(kKeys)}, 120000);
        QVERIFY2(made.finished && made.exitCode == 0, made.err.c_str());
        auto src = openTarget(cache.string());
        checkExports(*src, kKeys + 4);
    }

    void cancelLeavesNoFile() {
        std::vector<std::pair<std::string, std::string>> pairs;
        for (int i = 0; i < 20'000; ++i) pairs.emplace_back("c:" + std::to_string(i), "v");
        QVERIFY(test::runRedisCommands(m_server->port(), test::msetCommands(pairs)));
        auto src = openTarget(m_server->url());
        ListingExportOptions options;
        options.format = ListingFormat::kCsv;
        std::atomic<bool> cancel{false};
        const auto stopAfterFirstPage = [&](std::uint64_t, std::uint64_t,
                                            std::optional<std::uint64_t>) { cancel = true; };
        const fs::path fresh = m_dir->path() / "fresh.csv";
        auto done = exportListing(*src, options, fresh, stopAfterFirstPage, &cancel);
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QVERIFY(done->cancelled);
        QVERIFY(done->written > 0 && done->written < pairs.size());
        QVERIFY(!fs::exists(fresh));
        // An existing file stays as it was.
        const fs::path kept = m_dir->path() / "kept.csv";
        std::ofstream(kept) << "before\n";
        cancel = false;
        done = exportListing(*src, options, kept, stopAfterFirstPage, &cancel);
        QVERIFY(done.ok() && done->cancelled);
        QCOMPARE(readAll(kept), std::string("before\n"));
        // No temporary file is left beside them.
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(m_dir->path())) {
            names.push_back(entry.path().filename().string());
        }
        QCOMPARE(names, std::vector<std::string>{"kept.csv"});
    }

    // An export over an existing file keeps that file's permissions: a listing a user made
    // private (0600) stays private. It used to take an ordinary new file's (0666 minus the
    // umask), readable by everyone.
    void anExportOverAFileKeepsItsMode() {
        QVERIFY(test::runRedisCommands(m_server->port(), {{"SET", "secret:1", "v"}}));
        auto src = openTarget(m_server->url());
        const fs::path path = m_dir->path() / "private.csv";
        std::ofstream(path) << "before\n";
        fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
        const mode_t mask = ::umask(022);
        ListingExportOptions options;
        options.format = ListingFormat::kCsv;
        auto done = exportListing(*src, options, path);
        ::umask(mask);
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(done->written, std::uint64_t{1});
        QVERIFY(readAll(path).find("secret:1") != std::string::npos);
        QCOMPARE(fs::status(path).permissions() & fs::perms::all,
                 fs::perms::owner_read | fs::perms::owner_write);
        // A new file is an ordinary one.
        const fs::path fresh = m_dir->path() / "fresh.csv";
        QVERIFY(exportListing(*src, options, fresh).ok());
        QVERIFY((fs::status(fresh).permissions() & fs::perms::others_read) != fs::perms::none);
    }

    void cliStreamsEveryEntry() {
        std::vector<std::pair<std::string, std::string>> pairs;
        for (int i = 0; i < kKeys; ++i) pairs.emplace_back("u:" + std::to_string(i), "v");
        for (int i = 0; i < 1000; ++i) pairs.emplace_back("other:" + std::to_string(i), "v");
        pairs.emplace_back("u:comma,\"quote\"", "v");
        QVERIFY(test::runRedisCommands(m_server->port(), test::msetCommands(pairs)));
        auto lines = test::runProcess(
            TWAT_CACHE_CLI, {"inspect", m_server->url(), "--all", "--json-lines"}, 120000);
        QVERIFY2(lines.finished && lines.exitCode == 0, lines.err.c_str());
        std::set<std::string> ids;
        std::istringstream in(lines.out);
        std::string line;
        while (std::getline(in, line)) {
            const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(line));
            QVERIFY2(doc.isObject(), line.c_str());
            QVERIFY(ids.insert(doc.object().value("id").toString().toStdString()).second);
        }
        QCOMPARE(ids.size(), pairs.size());
        // --match narrows it; --csv quotes as RFC 4180 asks.
        auto csv = test::runProcess(
            TWAT_CACHE_CLI, {"inspect", m_server->url(), "--all", "--csv", "--match", "u:*"},
            120000);
        QVERIFY2(csv.finished && csv.exitCode == 0, csv.err.c_str());
        const auto rows = parseCsv(csv.out);
        QCOMPARE(rows.size(), std::size_t{kKeys + 2});  // the header and every u: key
        QVERIFY(std::any_of(rows.begin(), rows.end(),
                            [](const auto& r) { return r[0] == "u:comma,\"quote\""; }));
        // --all needs a format.
        auto usage = test::runProcess(TWAT_CACHE_CLI, {"inspect", m_server->url(), "--all"});
        QCOMPARE(usage.exitCode, 2);
    }

    // A glob delete deletes only what its preview described: a key changed since is kept, a
    // key added since is not in the plan.
    void redisGlobDeleteKeepsChangedKeys() {
        QVERIFY(test::runRedisCommands(m_server->port(), {{"SET", "g:1", "a"},
                                                          {"SET", "g:2", "b"},
                                                          {"RPUSH", "g:list", "x"},
                                                          {"SET", "h:1", "c"}}));
        auto src = openTarget(m_server->url());
        PlanRequest request;
        request.action = PlanRequest::Action::kMatchGlob;
        request.glob = "g:*";
        auto plan = src->plan(request);
        QVERIFY2(plan.ok(), plan.status().toString().c_str());
        QCOMPARE((*plan)->preview().count, std::uint64_t{3});
        QVERIFY((*plan)->preview().bytes_known);
        QVERIFY((*plan)->preview().bytes > 0);
        QVERIFY(test::runRedisCommands(m_server->port(),
                                       {{"RPUSH", "g:list", "y"}, {"SET", "g:new", "n"}}));
        auto done = (*plan)->execute();
        QVERIFY2(done.ok(), done.status().toString().c_str());
        QCOMPARE(done->deleted, std::uint64_t{2});
        QCOMPARE(done->changed, std::uint64_t{1});
        test::RawRedis raw(m_server->port());
        QCOMPARE(raw.run({"EXISTS", "g:1", "g:2", "g:list", "g:new", "h:1"}), std::string("3"));
    }
};

QTEST_GUILESS_MAIN(TestListingExport)
#include "test_listing_export.moc"
