// RedisSource: listing, detail, statistics and namespaces of a Redis database.
#include "inspect/redis_source.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>
#include <string>
#include <vector>

#include "format/envelope.h"
#include "inspect/entry_key.h"
#include "inspect/pickle_reader.h"
#include "inspect/redis_own_lookups.h"
#include "inspect/scan_deadline.h"
#include "inspect/value_render.h"
#include "redis/redis_cluster_slot.h"
#include "redis/redis_info.h"
#include "redis/redis_sentinel.h"
#include "twat_cache/key.h"

namespace twat_cache::detail {

namespace {

constexpr std::size_t kPreviewBytes = 2048;
constexpr std::size_t kPreviewItems = 50;

bool printable(std::string_view key) {
    if (key.empty() || key.starts_with("hex:") || key.starts_with("long:")) return false;
    for (const char c : key) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    }
    return sanitizeUtf8(key) == key;
}

std::string renderItem(std::string_view bytes) {
    return renderRedisText(bytes);
}

}  // namespace

std::string renderRedisText(std::string_view bytes) {
    return printable(bytes) || bytes.empty() ? std::string(bytes) : pythonBytesRepr(bytes);
}

RedisSource::RedisSource(SourceInfo info, const OpenOptions& options, ConnectSettings settings,
                         std::unique_ptr<RedisConnection> conn,
                         std::unique_ptr<RedisCluster> cluster)
    : Source(options.read_only, options.clock),
      m_info(std::move(info)),
      m_settings(std::move(settings)),
      m_urlName(m_info.name),
      m_urlDb(m_settings.endpoint.db),
      m_conn(std::move(conn)),
      m_cluster(std::move(cluster)),
      m_nextWalk(std::random_device{}() | 1u),
      m_maxValueBytes(options.max_value_bytes),
      m_separator(options.separator.empty() ? ":" : options.separator),
      m_scanTypeWanted(options.redis_scan_type),
      m_nsTree(m_separator, {options.namespace_max_depth, options.namespace_max_children,
                             options.namespace_max_nodes}) {}

std::string RedisSource::idOf(std::string_view key) {
    if (key.size() > kMaxIdKeyBytes) {
        // Too long to be its own id: its length, hash and start; resolveKey() finds it again.
        return "long:" + std::to_string(key.size()) + ":" + hashBytes(key).toHex() + ":" +
               idOf(key.substr(0, kLongIdPrefixBytes));
    }
    if (printable(key)) return std::string(key);
    return "hex:" + hexPreview(key, key.size() * 3 + 3);
}

Result<std::string> RedisSource::keyOf(std::string_view id) {
    if (id.starts_with("long:")) {
        return Status::invalidArgument("entry id '" + std::string(id.substr(0, 80)) +
                                       "…' names a long key: resolve it with a scan");
    }
    if (id.substr(0, 4) != "hex:") return std::string(id);
    std::string out;
    std::string_view hex = id.substr(4);
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < hex.size();) {
        if (hex[i] == ' ') {
            ++i;
            continue;
        }
        if (i + 1 >= hex.size() || nib(hex[i]) < 0 || nib(hex[i + 1]) < 0) {
            return Status::invalidArgument("bad entry id '" + std::string(id) + "'");
        }
        out.push_back(static_cast<char>(nib(hex[i]) * 16 + nib(hex[i + 1])));
        i += 2;
    }
    return out;
}

Result<RedisConnection*> RedisSource::connection() {
    if (!m_conn || m_conn->broken()) {
        auto conn = RedisConnection::open(m_settings);
        if (!conn.ok()) return conn.status();
        m_conn = std::move(*conn);
        m_runId.clear();                               // the server may have restarted
        m_info.note = withNode(m_info.note, *m_conn);  // Sentinel may have named another
    }
    return m_conn.get();
}

Status RedisSource::checkReply(const redisReply& reply, std::string_view doing) const {
    if (reply.type == REDIS_REPLY_ERROR) return replyError(reply, m_settings.masked_url, doing);
    return {};
}

void RedisSource::adapt(std::chrono::steady_clock::duration roundTrip) {
    if (roundTrip < kFastRoundTrip && m_count < kMaxCount) {
        m_count = std::min(kMaxCount, m_count * 2);
    } else if (roundTrip > kSlowRoundTrip && m_count > kMinCount) {
        m_count = std::max(kMinCount, m_count / 2);
    }
}

Result<RedisSource::ScanStep> RedisSource::scanOnce(const std::string& cursor,
                                                    const std::string& match, std::size_t count,
                                                    const std::string& type) {
    if (m_cluster) return clusterScanOnce(cursor, match, count, type);
    auto conn = connection();
    if (!conn.ok()) return conn.status();
    const bool adaptive = count == 0;
    const std::string countText = std::to_string(adaptive ? m_count : count);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::string_view> args = {"SCAN", cursor, "COUNT", countText};
    if (!match.empty() && match != "*") {
        args.emplace_back("MATCH");
        args.emplace_back(match);
    }
    if (!type.empty()) {
        args.emplace_back("TYPE");
        args.emplace_back(type);
    }
    (*conn)->append(args);
    auto reply = (*conn)->read("SCAN");
    if (!reply.ok()) return reply.status();
    if (adaptive) adapt(std::chrono::steady_clock::now() - start);
    return parseScanReply(**reply, m_settings.masked_url);
}

namespace {

// Whether `key` is named like an entry of one of our Redis caches: "twat_cache:<cache>:"
// then the key hash in 32 hex digits (on a cluster after a hash tag; docs/FORMAT.md).
bool namedLikeOurEntry(std::string_view key) {
    constexpr std::string_view kPrefix = "twat_cache:";
    constexpr std::size_t kHex = 32;
    if (key.size() < kPrefix.size() + kHex + 1 || key.substr(0, kPrefix.size()) != kPrefix)
        return false;
    return std::all_of(key.end() - kHex, key.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The compute time of an entry of ours from the head of its envelope (nothing when it is no
// envelope, or its key text is longer than the head read).
void readEnvelopeHead(const redisReply& head, EntrySummary& e) {
    if (head.type != REDIS_REPLY_STRING) return;  // not a string (WRONGTYPE), or gone
    const std::string_view bytes = replyText(head);
    if (bytes.substr(0, kEnvelopeMagic.size()) != kEnvelopeMagic) return;
    auto header = parseEnvelopeHeader(bytes);
    if (!header.ok()) return;
    e.compute_ns = header->compute_ns;
}

}  // namespace

Result<std::vector<EntrySummary>> RedisSource::describe(const std::vector<std::string>& keys) {
    std::vector<EntrySummary> out(keys.size());
    if (keys.empty()) return out;
    std::vector<ClusterCommand> reads;
    constexpr std::size_t kReads = 4;  // commands per key in the first round trip
    reads.reserve(keys.size() * kReads);
    const std::string samples = std::to_string(kMemorySamples);
    for (const auto& k : keys) {
        const int slot = m_cluster ? keySlot(k) : 0;
        reads.push_back({slot, {"TYPE", k}});
        reads.push_back({slot, {"PTTL", k}});
        reads.push_back({slot, {"MEMORY", "USAGE", k, "SAMPLES", samples}});
        reads.push_back({slot, {"OBJECT", "ENCODING", k}});
    }
    // Our caches' entries: their envelope heads, in the same round trip (after the others).
    std::vector<std::size_t> ours;
    const std::string headEnd = std::to_string(kEnvelopeHeadBytes - 1);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (!namedLikeOurEntry(keys[i])) continue;
        ours.push_back(i);
        m_ownEntriesSeen = true;
        reads.push_back({m_cluster ? keySlot(keys[i]) : 0, {"GETRANGE", keys[i], "0", headEnd}});
    }
    auto replies = ownReads(std::move(reads), "TYPE/PTTL/MEMORY USAGE/OBJECT ENCODING");
    if (!replies.ok()) return replies.status();
    const std::int64_t now = nowMs();
    std::vector<const char*> lengthCommand(keys.size(), nullptr);
    std::size_t lengthCommands = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        EntrySummary& e = out[i];
        e.id = idOf(keys[i]);
        if (m_cluster) e.node = m_cluster->ownerOf(keySlot(keys[i]));
        const std::string_view key = keys[i];
        setKeyText(e, renderItem(keyHead(key)), key.size(), key.size() <= kKeyReadBytes);
        const redisReply& type = *(*replies)[kReads * i];
        const redisReply& pttl = *(*replies)[kReads * i + 1];
        const redisReply& mem = *(*replies)[kReads * i + 2];
        const redisReply& encoding = *(*replies)[kReads * i + 3];
        if (Status s = checkReply(type, "TYPE"); !s.ok()) return s;
        e.type = std::string(replyText(type));
        if (pttl.type == REDIS_REPLY_INTEGER && pttl.integer >= 0)
            e.expires_ms = now + pttl.integer;
        // MEMORY USAGE may be disabled by ACLs or renamed; the size is then unknown (0).
        if (mem.type == REDIS_REPLY_INTEGER) e.size = static_cast<std::uint64_t>(mem.integer);
        if (encoding.type == REDIS_REPLY_STRING || encoding.type == REDIS_REPLY_STATUS)
            e.encoding = sanitizeUtf8(replyText(encoding));  // an error: unknown
        static constexpr std::pair<std::string_view, const char*> kLength[] = {
            {"string", "STRLEN"}, {"hash", "HLEN"},  {"list", "LLEN"},
            {"set", "SCARD"},     {"zset", "ZCARD"}, {"stream", "XLEN"}};
        for (const auto& [typeName, command] : kLength) {
            if (e.type == typeName) lengthCommand[i] = command;
        }
        if (lengthCommand[i] != nullptr) ++lengthCommands;
    }
    if (lengthCommands > 0) {  // a second round trip only for keys with a length
        reads.clear();
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (lengthCommand[i] == nullptr) continue;
            reads.push_back({m_cluster ? keySlot(keys[i]) : 0, {lengthCommand[i], keys[i]}});
        }
        auto lengths = ownReads(std::move(reads), "length");
        if (!lengths.ok()) return lengths.status();
        std::size_t at = 0;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (lengthCommand[i] == nullptr) continue;
            const redisReply& len = *(*lengths)[at++];
            if (len.type == REDIS_REPLY_INTEGER)
                out[i].length = static_cast<std::uint64_t>(len.integer);
        }
    }
    for (std::size_t n = 0; n < ours.size(); ++n) {
        readEnvelopeHead(*(*replies)[kReads * keys.size() + n], out[ours[n]]);
    }
    for (auto& e : out) e.fingerprint = fingerprintOf(e.type, e.length);
    return out;
}

Result<EntryPage> RedisSource::entries(std::string_view cursorText, std::size_t limit,
                                       const EntryFilter& asked) {
    // Type names are lower case ("hash"); the server's SCAN … TYPE ignores case, and so must
    // our check of each key ("Hash" would otherwise list nothing).
    EntryFilter filter = asked;
    std::transform(filter.type.begin(), filter.type.end(), filter.type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // Cursor: "<SCAN cursor>/<COUNT>/<keys of that batch already returned>".
    std::string from = "0";
    std::size_t count = m_count, skip = 0;
    if (!cursorText.empty()) {
        const auto a = cursorText.find('/');
        const auto b = a == std::string_view::npos ? a : cursorText.find('/', a + 1);
        if (b == std::string_view::npos) {
            return Status::invalidArgument("malformed cursor '" + std::string(cursorText) + "'");
        }
        from = std::string(cursorText.substr(0, a));
        count = static_cast<std::size_t>(parseCount(cursorText.substr(a + 1, b - a - 1)));
        skip = static_cast<std::size_t>(parseCount(cursorText.substr(b + 1)));
        if (count == 0 || from.empty()) {
            return Status::invalidArgument("malformed cursor '" + std::string(cursorText) + "'");
        }
    }
    const std::string match = !filter.glob.empty()        ? filter.glob
                              : !filter.substring.empty() ? "*" + globEscape(filter.substring) + "*"
                                                          : std::string();
    EntryPage page;
    auto keys = dbSize();
    if (!keys.ok()) return keys.status();
    page.total = *keys;
    auto server = filter.type.empty() ? Result<bool>(true) : scanTypeSupported();
    if (!server.ok()) return server.status();
    const bool ourType = !*server;
    const std::string serverType = ourType ? std::string() : filter.type;
    if (ourType) page.note = typeFilterNote();  // a TYPE per key: say what it costs
    ScanDeadline deadline(clock(), filter.time_budget);
    std::vector<std::string> shown;
    for (;;) {
        if (!(m_batch.from == from && m_batch.count == count && m_batch.match == match &&
              m_batch.type == serverType && !m_batch.next.empty())) {
            auto step = scanOnce(from, match, count, serverType);
            if (!step.ok()) return step.status();
            m_batch = {
                from, match,     serverType, std::move(step->cursor), count, std::move(step->keys),
                {},   m_lastWalk};
        }
        if (ourType && m_batch.types.size() != m_batch.keys.size()) {
            auto types = typesOf(m_batch.keys);
            if (!types.ok()) return types.status();
            m_batch.types = std::move(*types);
        }
        std::size_t i = skip;
        for (; i < m_batch.keys.size() && shown.size() < limit; ++i) {
            if (ourType && m_batch.types[i] != filter.type) continue;
            if (filter.matches(m_batch.keys[i])) shown.push_back(m_batch.keys[i]);
        }
        const bool last = m_batch.next == "0";
        // With MATCH or TYPE the server filters: it examines about COUNT keys per round (all
        // of them in the last round, which is not known) and returns the matches only.
        // A batch scanned again may hold fewer keys than the cursor says were shown: it is done.
        const bool whole = i >= m_batch.keys.size();
        page.scanned += (match.empty() && serverType.empty()) || last || !whole ? i - skip : count;
        if (!whole) {  // the page filled inside this batch
            page.cursor = from + "/" + std::to_string(count) + "/" + std::to_string(i);
            break;
        }
        if (last) break;  // the end
        from = m_batch.next;
        count = m_count;
        skip = 0;
        const bool full = shown.size() >= limit;
        if (full || deadline.expired()) {
            page.budget_spent = !full;
            page.cursor = from + "/" + std::to_string(count) + "/0";
            break;
        }
    }
    if (m_cluster) page.nodes = walkProgress(m_batch.walk);
    auto described = describe(shown);
    if (!described.ok()) return described.status();
    page.entries = std::move(*described);
    // Keys gone since SCAN are dropped, as are keys not of a type asked for (changed since).
    std::erase_if(page.entries, [&filter](const EntrySummary& e) {
        return e.type == "none" || (!filter.type.empty() && e.type != filter.type);
    });
    return page;
}

Result<EntryDetail> RedisSource::detail(std::string_view entryId) {
    auto key = resolveKey(entryId);
    if (!key.ok()) return key.status();
    auto summary = describe({*key});
    if (!summary.ok()) return summary.status();
    EntryDetail d;
    d.summary = std::move(summary->front());
    if (d.summary.type == "none") return Status::notFound("no key " + std::string(entryId));
    const std::string& k = *key;
    const int slot = m_cluster ? keySlot(k) : 0;
    const std::string last = std::to_string(kPreviewItems - 1);
    const std::string& type = d.summary.type;
    d.value_kind = type;
    if (type == "string") {
        const std::string end = std::to_string(m_maxValueBytes == 0 ? 0 : m_maxValueBytes - 1);
        auto r = ownReads({{slot, {"GETRANGE", k, "0", end}}}, "GETRANGE");
        if (!r.ok()) return r.status();
        if (Status s = checkReply(*r->front(), "GETRANGE"); !s.ok()) return s;
        d.value_bytes = std::string(replyText(*r->front()));
        const std::uint64_t length = d.summary.length.value_or(d.value_bytes.size());
        d.truncated = d.value_bytes.size() < length;
        if (d.value_bytes.substr(0, kEnvelopeMagic.size()) == kEnvelopeMagic) {
            // One of our own cache entries: show the key text and the decoded value.
            auto header = parseEnvelopeHeader(d.value_bytes);
            if (header.ok()) {
                d.note = "twat_cache entry for " + sanitizeUtf8(header->key_text);
                d.summary.stored_ms = header->created_ms;
                d.summary.compute_ns = header->compute_ns;
                d.value_kind = "twat_cache";
                if (!d.truncated) {
                    std::string payload;
                    auto stored = decodeEnvelope(d.value_bytes, payload);
                    if (stored.ok()) {
                        const RenderedValue rv =
                            renderStoredValue(stored->type_tag, payload, true, kPreviewBytes);
                        d.value_kind = "twat_cache " + rv.kind;
                        d.preview = rv.preview;
                        return d;
                    }
                    d.note += "; " + stored.status().message();
                }
            }
        }
        const RenderedValue rv = renderStoredValue(0, d.value_bytes, !d.truncated, kPreviewBytes);
        d.preview = rv.preview;
        return d;
    }
    std::vector<std::string> args;
    if (type == "hash") args = {"HSCAN", k, "0", "COUNT", last};
    if (type == "set") args = {"SSCAN", k, "0", "COUNT", last};
    if (type == "list") args = {"LRANGE", k, "0", last};
    if (type == "zset") args = {"ZRANGE", k, "0", last, "WITHSCORES"};
    if (type == "stream") args = {"XRANGE", k, "-", "+", "COUNT", "10"};
    if (args.empty()) {
        d.preview = "<" + type + " values are not previewed>";
        return d;
    }
    const std::string doing = args.front();
    auto r = ownReads({{slot, std::move(args)}}, doing);
    if (!r.ok()) return r.status();
    if (Status s = checkReply(*r->front(), doing); !s.ok()) return s;
    const redisReply* items = r->front().get();
    if ((type == "hash" || type == "set") && items->type == REDIS_REPLY_ARRAY &&
        items->elements == 2) {
        items = items->element[1];  // [cursor, items]
    }
    std::string preview;
    std::size_t shown = 0;
    const bool pairs = type == "hash" || type == "zset";
    auto add = [&](std::string text) {
        if (preview.size() + text.size() > kPreviewBytes) return false;
        preview += text;
        return true;
    };
    if (items->type == REDIS_REPLY_ARRAY) {
        for (std::size_t i = 0; i < items->elements; ++i) {
            const redisReply& it = *items->element[i];
            std::string line;
            if (type == "stream" && it.type == REDIS_REPLY_ARRAY && it.elements == 2) {
                line = renderItem(replyText(*it.element[0])) + " {";
                const redisReply& fields = *it.element[1];
                for (std::size_t f = 0; f + 1 < fields.elements; f += 2) {
                    line += (f ? ", " : "") + renderItem(replyText(*fields.element[f])) + ": " +
                            renderItem(replyText(*fields.element[f + 1]));
                }
                line += "}";
            } else if (pairs && i + 1 < items->elements) {
                line = renderItem(replyText(it)) + (type == "zset" ? " (score " : ": ") +
                       renderItem(replyText(*items->element[i + 1])) + (type == "zset" ? ")" : "");
                ++i;
            } else {
                line = renderItem(replyText(it));
            }
            if (!add(line + "\n")) break;
            ++shown;
        }
    }
    const std::uint64_t total = d.summary.length.value_or(shown);
    d.truncated = shown < total;
    if (d.truncated) preview += "... (" + std::to_string(total - shown) + " more)";
    d.preview = sanitizeUtf8(preview);
    d.value_bytes = d.preview.substr(0, std::min(d.preview.size(), m_maxValueBytes));
    return d;
}

Result<NamespaceReport> RedisSource::namespaces(std::size_t budget) {
    std::size_t examined = 0;
    if (!m_nsStarted) {
        m_nsStarted = true;
        m_nsCursor = "0";
    }
    while (!m_nsDone && examined < budget) {
        // A small budget asks for a small SCAN COUNT, so each call stays about that size.
        auto step =
            scanOnce(m_nsCursor, {}, std::clamp<std::size_t>(budget - examined, 1, m_count));
        if (!step.ok()) return step.status();
        for (const auto& key : step->keys) m_nsTree.add(key);
        examined += step->keys.size();
        m_nsScanned += step->keys.size();
        m_nsCursor = std::move(step->cursor);
        m_nsDone = m_nsCursor == "0";
    }
    NamespaceReport report;
    report.keys_scanned = m_nsScanned;
    report.complete = m_nsDone;
    m_nsTree.fill(report, renderItem);
    return report;
}

Result<std::uint64_t> RedisSource::dbSize() {
    if (m_cluster) return clusterDbSize();
    auto conn = connection();
    if (!conn.ok()) return conn.status();
    auto r = (*conn)->command({"DBSIZE"});
    if (!r.ok()) return r.status();
    if (Status s = checkReply(**r, "DBSIZE"); !s.ok()) return s;
    return static_cast<std::uint64_t>((*r)->integer);
}

Result<std::uint64_t> RedisSource::unlink(const std::vector<std::string>& keys, std::size_t from,
                                          std::size_t to) {
    auto batches = inKeyBatches(
        keys, from, to,
        [&keys](std::vector<std::string>& args, const std::vector<std::size_t>& items) {
            args.assign({"UNLINK"});
            for (const std::size_t i : items) args.push_back(keys[i]);
        },
        "UNLINK");
    if (!batches.ok()) return batches.status();
    std::uint64_t deleted = 0;
    for (const auto& r : batches->replies) deleted += static_cast<std::uint64_t>(r->integer);
    return deleted;
}

Result<Source::BatchOutcome> RedisSource::deleteBatch(const std::vector<EntrySummary>& batch) {
    if (Status s = refuseIfReadOnly(); !s.ok()) return s;
    std::vector<std::string> keys, fingerprints;
    keys.reserve(batch.size());
    BatchOutcome out;
    for (const auto& e : batch) {
        auto k = resolveKey(e.id);
        if (!k.ok()) return k.status();
        keys.push_back(std::move(*k));
        fingerprints.push_back(e.fingerprint);
    }
    auto done = changeUnchanged({}, keys, fingerprints, 0, keys.size());
    if (!done.ok()) return done.status();
    out.deleted = done->applied;
    out.changed = done->changed;
    out.bytes = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (done->outcome[i] > 0) out.bytes += batch[i].size;
    }
    return out;
}

Result<std::unique_ptr<Source>> openRedisSource(const SourceInfo& info,
                                                const OpenOptions& options) {
    // Pipelined pages and UNLINK batches take longer than a single command (10 s).
    auto made = connectSettings(info.url, std::chrono::milliseconds(2000),
                                std::chrono::milliseconds(10'000), options.ssh_password);
    if (!made.ok()) return made.status();
    ConnectSettings settings = std::move(*made);
    auto conn = RedisConnection::open(settings);
    if (!conn.ok()) return conn.status();
    SourceInfo shown = info;  // with the server Sentinel chose, if it did
    if (!(*conn)->node().empty())
        shown.note = withNode("db " + std::to_string(settings.endpoint.db), **conn);
    // A Redis Cluster is detected from the server, with no flag; a small pool per node.
    auto cluster = RedisCluster::detect(**conn, PoolSettings{settings, 2});
    if (!cluster.ok()) return cluster.status();
    if (*cluster) shown.note = (*cluster)->summary();
    std::unique_ptr<RedisSource> source(new RedisSource(shown, options, std::move(settings),
                                                        std::move(*conn), std::move(*cluster)));
    if (!options.read_only) {
        if (Status s = source->probePermissions(); !s.ok()) return s;
    }
    return std::unique_ptr<Source>(std::move(source));
}

}  // namespace twat_cache::detail
