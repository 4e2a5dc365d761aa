// Maintenance plans of a RedisSource: delete named keys, delete by glob, clear the database,
// and the actions Redis does not need or cannot support.
#include <algorithm>
#include <string>
#include <vector>

#include "inspect/redis_source.h"
#include "redis/redis_cluster_keys.h"

namespace twat_cache::detail {

namespace {

constexpr std::size_t kPreviewSample = PlanPreview::kSampleSize;

Status refuseReadOnly(RedisSource& source) {
    return Status::permissionDenied("source " + source.info().name +
                                    " is read-only: nothing was deleted");
}

// Changes each key (ARGV[1]: "unlink", "pexpire" with ARGV[2] milliseconds, or "persist") if
// it still has the type and length of its fingerprint (ARGV[2 + i]; "" accepts anything).
// Returns per key: 1 changed, 0 gone, -1 changed since (left alone).
constexpr const char* kChangeUnchangedScript = R"lua(
local lengthOf = {string = 'STRLEN', hash = 'HLEN', list = 'LLEN', set = 'SCARD',
                  zset = 'ZCARD', stream = 'XLEN'}
local op = ARGV[1]
local out = {}
for i, key in ipairs(KEYS) do
    local t = redis.call('TYPE', key).ok
    if t == 'none' then
        out[i] = 0
    else
        local fp = t .. ':'
        if lengthOf[t] then fp = fp .. redis.call(lengthOf[t], key) end
        local want = ARGV[2 + i]
        if want ~= '' and want ~= fp then
            out[i] = -1
        elseif op == 'unlink' then
            out[i] = redis.call('UNLINK', key)
        elseif op == 'pexpire' then
            out[i] = redis.call('PEXPIRE', key, ARGV[2])
        else
            redis.call('PERSIST', key)
            out[i] = 1
        end
    end
end
return out
)lua";

// Deletes a fixed list of key names, UNLINK batches pipelined per round trip; with
// fingerprints (the keys a preview described one by one, with their sizes), only keys that
// still match them, and the bytes freed are the sizes of those deleted. With another
// KeyChange it sets or removes their TTL instead, by the same batches (always by script).
class KeysPlan final : public Plan {
  public:
    KeysPlan(RedisSource& source, std::vector<std::string> keys, PlanPreview preview,
             std::vector<std::string> fingerprints = {}, std::vector<std::uint64_t> sizes = {},
             RedisSource::KeyChange change = {})
        : m_source(source),
          m_change(change),
          m_keys(std::move(keys)),
          m_fingerprints(std::move(fingerprints)),
          m_sizes(std::move(sizes)),
          m_preview(std::move(preview)) {}

    const PlanPreview& preview() const override { return m_preview; }

  private:
    Result<ExecuteResult> run(const ProgressCallback& progress,
                              const std::atomic<bool>* cancel) override {
        if (m_source.readOnly()) return refuseReadOnly(m_source);
        ExecuteResult result;
        result.matched = m_keys.size();
        const std::size_t perTrip = RedisSource::kUnlinkKeys * RedisSource::kUnlinkPipeline;
        for (std::size_t at = 0; at < m_keys.size(); at += perTrip) {
            if (cancel && cancel->load(std::memory_order_acquire)) {
                result.cancelled = true;
                break;
            }
            const std::size_t end = std::min(m_keys.size(), at + perTrip);
            const bool unlink = m_change.op == RedisSource::KeyChange::Op::kUnlink;
            if (unlink && m_fingerprints.empty()) {
                auto deleted = m_source.unlink(m_keys, at, end);
                if (!deleted.ok()) return deleted.status();
                result.deleted += *deleted;
            } else {
                auto done = m_source.changeUnchanged(m_change, m_keys, m_fingerprints, at, end);
                if (!done.ok()) return done.status();
                (unlink ? result.deleted : result.updated) += done->applied;
                result.changed += done->changed;
                for (std::size_t i = 0; i < done->outcome.size() && at + i < m_sizes.size(); ++i) {
                    if (done->outcome[i] > 0) result.bytes_freed += m_sizes[at + i];
                }
            }
            if (progress) progress(end, m_keys.size());
        }
        if (m_sizes.empty() && m_preview.bytes_known && result.deleted == result.matched) {
            result.bytes_freed = m_preview.bytes;
        }
        return result;
    }

    RedisSource& m_source;
    RedisSource::KeyChange m_change;
    std::vector<std::string> m_keys;
    std::vector<std::string> m_fingerprints;  // empty: delete by name alone
    std::vector<std::uint64_t> m_sizes;       // per key, as previewed; empty without fingerprints
    PlanPreview m_preview;
};

// Empties the database: SCAN + UNLINK per round trip, with progress against DBSIZE.
class ClearAllPlan final : public Plan {
  public:
    ClearAllPlan(RedisSource& source, PlanPreview preview, bool confirmed)
        : m_source(source), m_preview(std::move(preview)), m_confirmed(confirmed) {}

    const PlanPreview& preview() const override { return m_preview; }

  private:
    Result<ExecuteResult> run(const ProgressCallback& progress,
                              const std::atomic<bool>* cancel) override {
        if (m_source.readOnly()) return refuseReadOnly(m_source);
        if (!m_confirmed) {
            return Status::permissionDenied(
                "clearing all of " + m_source.info().name + " deletes every key " +
                (m_source.isCluster() ? "on every master of the cluster"
                                      : "of db " + std::to_string(m_source.db())) +
                ", not only a cache's: it was not confirmed explicitly, so nothing was deleted");
        }
        ExecuteResult result;
        result.matched = m_preview.count;
        std::string cursor = "0";
        // Bounded: SCAN ends after a full iteration; keys added meanwhile may survive.
        do {
            if (cancel && cancel->load(std::memory_order_acquire)) {
                result.cancelled = true;
                break;
            }
            auto step = m_source.scanOnce(cursor, {});
            if (!step.ok()) return step.status();
            cursor = std::move(step->cursor);
            auto deleted = m_source.unlink(step->keys, 0, step->keys.size());
            if (!deleted.ok()) return deleted.status();
            result.deleted += *deleted;
            if (progress) {
                progress(std::min(result.deleted, result.matched), result.matched);
            }
        } while (cursor != "0");
        result.matched = std::max(result.matched, result.deleted);
        return result;
    }

    RedisSource& m_source;
    PlanPreview m_preview;
    bool m_confirmed;
};

}  // namespace

Status RedisSource::addSample(const std::vector<std::string>& keys, PlanPreview& pv) {
    std::vector<std::string> first(
        keys.begin(),
        keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), kPreviewSample)));
    auto described = describe(first);
    if (!described.ok()) return described.status();
    for (auto& e : *described) {
        if (e.type != "none") pv.sample.push_back(std::move(e));
    }
    return {};
}

Result<std::vector<std::string>> RedisSource::keysMatching(const std::string& glob,
                                                           const std::string& type) {
    auto server = type.empty() ? Result<bool>(true) : scanTypeSupported();
    if (!server.ok()) return server.status();
    const bool ourType = !*server;  // the server has no SCAN … TYPE: ask each key's
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
        auto step = scanOnce(cursor, glob, 0, ourType ? std::string() : type);
        if (!step.ok()) return step.status();
        cursor = std::move(step->cursor);
        std::vector<std::string> types;
        if (ourType) {
            auto asked = typesOf(step->keys);
            if (!asked.ok()) return asked.status();
            types = std::move(*asked);
        }
        for (std::size_t i = 0; i < step->keys.size(); ++i) {
            if (!ourType || types[i] == type) keys.push_back(std::move(step->keys[i]));
        }
    } while (cursor != "0");
    // SCAN may return a key twice (rehashing); change and count each once.
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

Result<RedisSource::NamedKeys> RedisSource::namedKeys(const std::vector<std::string>& ids,
                                                      PlanPreview& pv) {
    std::vector<std::string> keys;
    for (const auto& id : ids) {
        auto k = resolveKey(id);
        if (!k.ok()) return k.status();
        keys.push_back(std::move(*k));
    }
    return describedKeys(keys, pv);
}

Result<RedisSource::NamedKeys> RedisSource::describedKeys(const std::vector<std::string>& keys,
                                                          PlanPreview& pv) {
    // In bounded pipelines: a pattern may match millions of keys.
    constexpr std::size_t kDescribeBatch = 1000;
    NamedKeys out;
    std::vector<std::string> batch;
    for (std::size_t at = 0; at < keys.size(); at += kDescribeBatch) {
        batch.assign(
            keys.begin() + static_cast<std::ptrdiff_t>(at),
            keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), at + kDescribeBatch)));
        auto described = describe(batch);
        if (!described.ok()) return described.status();
        for (std::size_t i = 0; i < batch.size(); ++i) {
            auto& e = (*described)[i];
            if (e.type == "none") continue;  // gone since the scan
            out.keys.push_back(std::move(batch[i]));
            out.fingerprints.push_back(e.fingerprint);
            out.sizes.push_back(e.size);
            pv.bytes += e.size;
            if (pv.sample.size() < kPreviewSample) pv.sample.push_back(std::move(e));
        }
    }
    pv.count = out.keys.size();
    return out;
}

std::string RedisSource::fingerprintOf(std::string_view type, std::optional<std::uint64_t> length) {
    std::string out = std::string(type) + ":";
    if (length) out += std::to_string(*length);
    return out;
}

Result<RedisSource::KeyBatches> RedisSource::inKeyBatches(const std::vector<std::string>& keys,
                                                          std::size_t from, std::size_t to,
                                                          const BatchArgs& build,
                                                          std::string_view doing) {
    KeyBatches out;
    std::vector<ClusterCommand> commands;
    if (m_cluster) {  // a command's keys must share a slot (else CROSSSLOT)
        const std::span<const std::string> range(keys.data() + from, to - from);
        for (auto& batch : slotBatches(range, kUnlinkKeys)) {
            for (auto& i : batch.items) i += from;
            commands.push_back({batch.slot, {}});
            build(commands.back().args, batch.items);
            out.items.push_back(std::move(batch.items));
        }
        for (auto& r : m_cluster->run(commands, doing)) {
            if (!r.ok()) return r.status();
            out.replies.push_back(std::move(*r));
        }
    } else {
        auto conn = connection();
        if (!conn.ok()) return conn.status();
        std::vector<std::string> args;
        for (std::size_t at = from; at < to; at += kUnlinkKeys) {
            std::vector<std::size_t> items(std::min(to, at + kUnlinkKeys) - at);
            for (std::size_t i = 0; i < items.size(); ++i) items[i] = at + i;
            build(args, items);
            (*conn)->append(std::vector<std::string_view>(args.begin(), args.end()));
            out.items.push_back(std::move(items));
        }
        auto replies = (*conn)->readMany(out.items.size(), doing);
        if (!replies.ok()) return replies.status();
        out.replies = std::move(*replies);
    }
    for (const auto& r : out.replies) {
        if (Status s = checkReply(*r, doing); !s.ok()) return s;
    }
    return out;
}

Result<RedisSource::Changed> RedisSource::changeUnchanged(
    const KeyChange& change, const std::vector<std::string>& keys,
    const std::vector<std::string>& fingerprints, std::size_t from, std::size_t to) {
    using Op = KeyChange::Op;
    const char* op = change.op == Op::kUnlink   ? "unlink"
                     : change.op == Op::kExpire ? "pexpire"
                                                : "persist";
    auto batches = inKeyBatches(
        keys, from, to,
        [&](std::vector<std::string>& args, const std::vector<std::size_t>& items) {
            args.assign({"EVAL", kChangeUnchangedScript, std::to_string(items.size())});
            for (const std::size_t i : items) args.push_back(keys[i]);
            args.push_back(op);
            args.push_back(std::to_string(change.ttl_ms));
            for (const std::size_t i : items) {
                args.push_back(fingerprints.empty() ? std::string() : fingerprints[i]);
            }
        },
        change.op == Op::kUnlink ? "EVAL (UNLINK unchanged keys)" : "EVAL (TTL of unchanged keys)");
    if (!batches.ok()) return batches.status();
    Changed out;
    out.outcome.assign(to - from, 0);
    for (std::size_t b = 0; b < batches->replies.size(); ++b) {
        const redisReply& r = *batches->replies[b];
        const auto& items = batches->items[b];
        if (r.type != REDIS_REPLY_ARRAY) {
            return Status::corruption("the server's reply to a change script is not a list");
        }
        if (r.elements != items.size()) {
            return Status::corruption("the server's reply to a change script has " +
                                      std::to_string(r.elements) + " results for " +
                                      std::to_string(items.size()) + " keys");
        }
        for (std::size_t i = 0; i < r.elements; ++i) {
            const int v = r.element[i]->type == REDIS_REPLY_INTEGER
                              ? static_cast<int>(r.element[i]->integer)
                              : 0;
            out.outcome[items[i] - from] = v;
            if (v > 0) ++out.applied;
            if (v < 0) ++out.changed;
        }
    }
    return out;
}

Status RedisSource::probePermissions() {
    auto conn = connection();
    if (!conn.ok()) return conn.status();
    // A name no one uses: UNLINK of a missing key deletes nothing.
    const std::string probe = "twat_cache:__permission_probe__:" + std::to_string(nowMs());
    (*conn)->append({"UNLINK", probe});
    (*conn)->append({"EVAL", "return 0", "0"});
    auto replies = (*conn)->readMany(2, "permission check");
    if (!replies.ok()) return replies.status();
    auto refusal = [](const redisReply& r) -> std::string {
        if (r.type != REDIS_REPLY_ERROR) return {};
        const std::string_view text = replyText(r);
        // "NOPERM this user has no permissions to run the 'unlink' command"; a key-pattern
        // refusal ("... to access one of the keys ...") says nothing about the command.
        if (!text.starts_with("NOPERM") || text.find("run the") == std::string_view::npos) {
            return {};
        }
        return std::string(text);
    };
    m_permissions.unlink = refusal(*(*replies)[0]);
    m_permissions.eval = refusal(*(*replies)[1]);
    return {};
}

Status RedisSource::supports(PlanRequest::Action action) const {
    using A = PlanRequest::Action;
    if ((action == A::kDeleteEntries || action == A::kMatchGlob || action == A::kClearAll) &&
        !m_permissions.unlink.empty()) {
        return Status::permissionDenied("not permitted by the server (" + m_permissions.unlink +
                                        ")");
    }
    if (action == A::kSetTtl && !m_permissions.eval.empty()) {
        // Each key is checked and changed by one script.
        return Status::permissionDenied("not permitted by the server (" + m_permissions.eval + ")");
    }
    switch (action) {
        case A::kClearExpired:
            return Status::notSupported(
                "Redis removes expired keys by itself: there are never any to clear");
        case A::kOlderThan:
        case A::kPruneToBytes:
        case A::kPruneToEntries:
            return Status::notSupported(
                "Redis records no storage time, so it cannot prune oldest first or by age; "
                "the server's maxmemory policy can evict instead");
        case A::kDeleteEntries:
        case A::kMatchGlob:
        case A::kClearAll:
        case A::kSetTtl:
            break;
    }
    return {};
}

Result<std::unique_ptr<Plan>> RedisSource::makeTtlPlan(const PlanRequest& request) {
    if (Status s = supports(request.action); !s.ok()) return s;
    if (request.ttl && request.ttl->count() <= 0) {
        return Status::invalidArgument("a TTL must be more than 0 (remove it with persist)");
    }
    KeyChange change;
    change.op = request.ttl ? KeyChange::Op::kExpire : KeyChange::Op::kPersist;
    change.ttl_ms = request.ttl ? request.ttl->count() : 0;
    PlanPreview pv;
    pv.note = request.ttl ? "sets a TTL of " + std::to_string(request.ttl->count() / 1000) +
                                " s on each key (replacing any it has)"
                          : "removes the TTL of each key: they stay until deleted";
    if (!request.entry_ids.empty()) {
        // Named keys are checked against what the preview saw, like a delete.
        auto named = namedKeys(request.entry_ids, pv);
        if (!named.ok()) return named.status();
        return std::unique_ptr<Plan>(new KeysPlan(*this, std::move(named->keys), std::move(pv),
                                                  std::move(named->fingerprints), {}, change));
    }
    if (request.glob.empty()) {
        return Status::invalidArgument("a key glob or the entries to change are required");
    }
    auto keys = keysMatching(request.glob, request.type);
    if (!keys.ok()) return keys.status();
    pv.count = keys->size();
    pv.bytes_known = false;
    if (Status s = addSample(*keys, pv); !s.ok()) return s;
    return std::unique_ptr<Plan>(
        new KeysPlan(*this, std::move(*keys), std::move(pv), {}, {}, change));
}

Result<std::unique_ptr<Plan>> RedisSource::makePlan(const PlanRequest& request) {
    using A = PlanRequest::Action;
    PlanPreview pv;
    switch (request.action) {
        case A::kClearExpired:
            // Not an error for scripts: an empty plan that says why (see supports()).
            pv.note = "Redis removes expired keys by itself: nothing to do";
            return std::unique_ptr<Plan>(new KeysPlan(*this, {}, std::move(pv)));
        case A::kOlderThan:
        case A::kPruneToBytes:
        case A::kPruneToEntries:
            // Callers that can delete by pattern are told so too.
            return Status::notSupported(supports(request.action).message() +
                                        ", or delete by pattern");
        case A::kDeleteEntries: {
            if (Status s = supports(request.action); !s.ok()) return s;
            auto named = namedKeys(request.entry_ids, pv);
            if (!named.ok()) return named.status();
            auto& existing = named->keys;
            auto& fingerprints = named->fingerprints;
            auto& sizes = named->sizes;
            if (!m_permissions.eval.empty()) {
                // Without scripts the keys cannot be checked and deleted in one step.
                fingerprints.clear();
                sizes.clear();
                pv.note = "the server does not permit scripts (" + m_permissions.eval +
                          "): keys are deleted by name, without checking that they are unchanged";
            }
            return std::unique_ptr<Plan>(new KeysPlan(*this, std::move(existing), std::move(pv),
                                                      std::move(fingerprints), std::move(sizes)));
        }
        case A::kMatchGlob: {
            if (request.glob.empty()) return Status::invalidArgument("a key glob is required");
            if (Status s = supports(request.action); !s.ok()) return s;
            auto found = keysMatching(request.glob, request.type);
            if (!found.ok()) return found.status();
            if (!m_permissions.eval.empty()) {
                // Without scripts the keys cannot be checked and deleted in one step.
                std::vector<std::string> keys = std::move(*found);
                pv.count = keys.size();
                pv.bytes_known = false;
                pv.note = "the server does not permit scripts (" + m_permissions.eval +
                          "): keys are deleted by name, without checking that they are unchanged";
                if (Status s = addSample(keys, pv); !s.ok()) return s;
                return std::unique_ptr<Plan>(new KeysPlan(*this, std::move(keys), std::move(pv)));
            }
            // Each key is described as the preview counts it (type, length, memory), and the
            // plan deletes it only while it still has that type and length.
            auto described = describedKeys(*found, pv);
            if (!described.ok()) return described.status();
            return std::unique_ptr<Plan>(
                new KeysPlan(*this, std::move(described->keys), std::move(pv),
                             std::move(described->fingerprints), std::move(described->sizes)));
        }
        case A::kClearAll: {
            if (Status s = supports(request.action); !s.ok()) return s;
            auto n = dbSize();
            if (!n.ok()) return n.status();
            pv.count = *n;
            pv.bytes_known = false;
            const std::string where =
                isCluster() ? "on all " + std::to_string(masterCount()) + " masters of the cluster"
                            : "of db " + std::to_string(db());
            pv.note = "deletes every key " + where + " (" + std::to_string(*n) + " keys)" +
                      (request.confirmed ? "" : "; needs explicit confirmation to execute");
            pv.needs_confirmation = !request.confirmed;
            auto first = scanOnce("0", {}, PlanPreview::kSampleSize);
            if (!first.ok()) return first.status();
            if (Status s = addSample(first->keys, pv); !s.ok()) return s;
            return std::unique_ptr<Plan>(new ClearAllPlan(*this, std::move(pv), request.confirmed));
        }
        case A::kSetTtl:
            return makeTtlPlan(request);
    }
    return Status::invalidArgument("unknown plan action");
}

}  // namespace twat_cache::detail
