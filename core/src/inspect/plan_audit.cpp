// A plan's audit record: the request in words, who ran it, and the outcome.
#include "inspect/plan_audit.h"

#include <errno.h>  // program_invocation_short_name
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <sstream>

#include "twat_cache/audit_log.h"

namespace twat_cache::detail {

namespace {

constexpr std::size_t kNamedKeys = 10;       // named entries spelled out in `what`
constexpr std::size_t kNamedKeyBytes = 200;  // of each

std::string actionName(PlanRequest::Action action) {
    using A = PlanRequest::Action;
    switch (action) {
        case A::kDeleteEntries:
            return "delete_entries";
        case A::kClearAll:
            return "clear_all";
        case A::kClearExpired:
            return "clear_expired";
        case A::kPruneToBytes:
            return "prune_to_bytes";
        case A::kPruneToEntries:
            return "prune_to_entries";
        case A::kOlderThan:
            return "older_than";
        case A::kMatchGlob:
            return "match_glob";
        case A::kSetTtl:
            return "expire";  // "persist" without a TTL: see makePlanAudit()
    }
    return "unknown";
}

std::string seconds(std::chrono::milliseconds d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

// The key text as the audit log spells it: bounded.
std::string boundedKey(std::string key) {
    if (key.size() > kNamedKeyBytes) key = key.substr(0, kNamedKeyBytes) + "…";
    return key;
}

std::string describe(const PlanRequest& request, const PlanPreview& preview) {
    using A = PlanRequest::Action;
    const std::string order = request.prune_order == PlanRequest::PruneOrder::kValue
                                  ? "least time saved per byte first"
                                  : "oldest first";
    // A Redis type filter narrows the keys a glob selects.
    const std::string ofType = request.type.empty() ? "" : " of type " + request.type;
    switch (request.action) {
        case A::kSetTtl: {
            const std::string change =
                request.ttl ? "TTL " + seconds(*request.ttl) + " on " : "no TTL on ";
            if (request.entry_ids.empty())
                return change + "keys matching '" + request.glob + "'" + ofType;
            PlanRequest named = request;
            named.action = A::kDeleteEntries;
            return change + describe(named, preview);
        }
        case A::kDeleteEntries: {
            std::string out = std::to_string(request.entry_ids.size()) + " named entries";
            for (std::size_t i = 0; i < preview.sample.size() && i < kNamedKeys; ++i) {
                out += (i == 0 ? ": '" : ", '") + boundedKey(preview.sample[i].key_text) + "'";
            }
            if (preview.sample.size() > kNamedKeys || request.entry_ids.size() > kNamedKeys) {
                out += ", …";
            }
            return out;
        }
        case A::kClearAll:
            return "every entry";
        case A::kClearExpired:
            return "entries past their expiry";
        case A::kPruneToBytes:
            return order + " until at most " + std::to_string(request.limit) + " bytes remain";
        case A::kPruneToEntries:
            return order + " until at most " + std::to_string(request.limit) + " entries remain";
        case A::kOlderThan:
            return "entries stored more than " + seconds(request.age) + " ago";
        case A::kMatchGlob:
            return "keys matching '" + request.glob + "'" + ofType;
    }
    return {};
}

std::string userName() {
    std::array<char, 4096> buf{};
    struct passwd pw {};
    struct passwd* found = nullptr;
    const uid_t uid = ::geteuid();
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found) {
        return found->pw_name;
    }
    return "uid " + std::to_string(uid);
}

std::string hostName() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0) return {};
    return buf.data();
}

// A record stamped with the time and with who is changing the cache.
AuditRecord stampedRecord() {
    AuditRecord r;
    r.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    r.user = userName();
    r.program = program_invocation_short_name;
    r.pid = ::getpid();
    r.host = hostName();
    return r;
}

std::string locationOf(const SourceInfo& info) {
    return info.kind == SourceKind::kRedis ? info.name : info.path.string();
}

}  // namespace

std::shared_ptr<const PlanAudit> makePlanAudit(std::filesystem::path log, const SourceInfo& info,
                                               const PlanRequest& request,
                                               const PlanPreview& preview) {
    auto audit = std::make_shared<PlanAudit>();
    audit->log = std::move(log);
    audit->source = info.name;
    audit->kind = std::string(sourceKindName(info.kind));
    audit->location = locationOf(info);
    audit->action = request.action == PlanRequest::Action::kSetTtl && !request.ttl
                        ? "persist"
                        : actionName(request.action);
    audit->what = describe(request, preview);
    audit->bytes_known = preview.bytes_known;
    return audit;
}

std::string recordExecution(const PlanAudit& audit, const Result<ExecuteResult>& result) {
    AuditRecord r = stampedRecord();
    r.source = audit.source;
    r.kind = audit.kind;
    r.location = audit.location;
    r.action = audit.action;
    r.what = audit.what;
    r.bytes_known = audit.bytes_known;
    if (result.ok()) {
        r.matched = result->matched;
        r.deleted = result->deleted;
        r.updated = result->updated;
        r.bytes = result->bytes_freed;
        r.changed = result->changed;
        r.refused = result->refused.size();
        r.cancelled = result->cancelled;
    } else {
        r.error = result.status().toString();
    }
    const Status s = appendAuditRecord(audit.log, r);
    return s.ok() ? std::string() : s.message();
}

namespace {

// What a member edit changed, as the audit log says it: the member's name (bounded) and the
// size of a value written, never the value itself (as for set_value).
std::string memberWhat(const EditRequest& request) {
    const std::string member = "'" + boundedKey(request.member) + "'";
    const std::string bytes = std::to_string(request.value.size()) + " bytes";
    const std::string at = request.index ? "index " + std::to_string(*request.index) : "";
    switch (request.action) {
        case EditAction::kHashSet:
            return "field " + member + " set to " + bytes;
        case EditAction::kHashDelete:
            return "field " + member + " removed";
        case EditAction::kListPushHead:
            return "element of " + bytes + " added at the head";
        case EditAction::kListPushTail:
            return "element of " + bytes + " added at the tail";
        case EditAction::kListSet:
            return "element at " + at + " set to " + bytes;
        case EditAction::kListRemove:
            return request.index ? "element at " + at + " removed"
                                 : "element " + member + " removed";
        case EditAction::kSetAdd:
            return "member " + member + " added";
        case EditAction::kZsetAdd: {
            std::ostringstream score;
            score << request.score;
            return "member " + member + " given score " + score.str();
        }
        default:
            return "member " + member + " removed";
    }
}

}  // namespace

std::string recordEdit(const std::filesystem::path& log, const SourceInfo& info,
                       const EditRequest& request, std::string_view key, const Status& status) {
    AuditRecord r = stampedRecord();
    r.source = info.name;
    r.kind = std::string(sourceKindName(info.kind));
    r.location = locationOf(info);
    r.action = std::string(editActionName(request.action));
    r.what = "'" + boundedKey(std::string(key)) + "'";
    switch (request.action) {
        case EditAction::kSetTtl:
            r.what += ": TTL " + seconds(request.ttl);
            break;
        case EditAction::kPersist:
            r.what += ": no TTL";
            break;
        case EditAction::kRename:
            r.what += " to '" + boundedKey(request.new_key) + "'";
            break;
        case EditAction::kSetValue:
            r.what += ": new value of " + std::to_string(request.value.size()) + " bytes";
            break;
        default:
            r.what += ": " + memberWhat(request);
            break;
    }
    r.matched = 1;
    r.bytes_known = false;
    if (status.ok()) {
        r.updated = 1;
    } else {
        r.error = status.toString();
    }
    const Status s = appendAuditRecord(log, r);
    return s.ok() ? std::string() : s.message();
}

}  // namespace twat_cache::detail
