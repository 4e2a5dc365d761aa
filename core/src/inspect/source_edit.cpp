// Source::edit(): one entry changed in place (TTL, name, value), checked and audited here;
// the change itself is each source's applyEdit().
#include <cmath>
#include <string>

#include "inspect/plan_audit.h"
#include "twat_cache/inspect.h"

namespace twat_cache {

std::string_view editActionName(EditAction action) {
    switch (action) {
        case EditAction::kSetTtl:
            return "expire";
        case EditAction::kPersist:
            return "persist";
        case EditAction::kRename:
            return "rename";
        case EditAction::kSetValue:
            return "set_value";
        case EditAction::kHashSet:
            return "hset";
        case EditAction::kHashDelete:
            return "hdel";
        case EditAction::kListPushHead:
            return "lpush";
        case EditAction::kListPushTail:
            return "rpush";
        case EditAction::kListSet:
            return "lset";
        case EditAction::kListRemove:
            return "lrem";
        case EditAction::kSetAdd:
            return "sadd";
        case EditAction::kSetRemove:
            return "srem";
        case EditAction::kZsetAdd:
            return "zadd";
        case EditAction::kZsetRemove:
            return "zrem";
    }
    return "unknown";
}

bool isExpiryEdit(EditAction action) {
    return action == EditAction::kSetTtl || action == EditAction::kPersist;
}

bool isMemberEdit(EditAction action) {
    return static_cast<int>(action) >= static_cast<int>(EditAction::kHashSet);
}

namespace {

// What edit() refuses before trying, whatever the source: requests missing what they need.
Status checkRequest(const EditRequest& request) {
    switch (request.action) {
        case EditAction::kSetTtl:
            if (request.ttl.count() <= 0) {
                return Status::invalidArgument(
                    "a TTL must be more than 0 (remove it with persist)");
            }
            break;
        case EditAction::kRename:
            if (request.new_key.empty())
                return Status::invalidArgument("the new key name is empty");
            break;
        case EditAction::kListSet:
            if (!request.index) return Status::invalidArgument("which list element? (no index)");
            break;
        case EditAction::kZsetAdd:
            if (std::isnan(request.score)) {
                return Status::invalidArgument("a score must be a number (not NaN)");
            }
            break;
        default:
            break;
    }
    return {};
}

}  // namespace

Status Source::supportsEdit(EditAction action) const {
    const SourceKind kind = info().kind;
    if (isMemberEdit(action)) {
        return Status::notSupported(std::string(sourceKindName(kind)) +
                                    " entries have no members to edit (only Redis hashes, lists, "
                                    "sets and sorted sets have)");
    }
    const bool expiry = isExpiryEdit(action);
    if (kind == SourceKind::kNativeSqlite || kind == SourceKind::kNativeFiles) {
        // (Their expiry is changed by their own sources' supportsEdit.)
        return Status::notSupported(
            "our " + std::string(sourceKindName(kind)) +
            " caches name each entry by the hash of its arguments and store its value in a "
            "checked envelope: renaming or rewriting one by hand would break it");
    }
    // Caches of other programs (joblib, folders; python-diskcache but for its expiry, see
    // DiskcacheSource) are only ever pruned: their own program decides what an entry holds.
    return Status::notSupported(
        std::string(sourceKindName(kind)) + " caches cannot " +
        (expiry ? std::string("change an entry's expiry") : std::string(editActionName(action))) +
        " here: their own program owns their entries; delete entries "
        "instead");
}

Result<EntrySummary> Source::applyEdit(const EditRequest& request) {
    return supportsEdit(request.action);
}

Result<EditResult> Source::edit(const EditRequest& request) {
    if (Status s = refuseIfReadOnly(); !s.ok()) return s;
    if (Status s = supportsEdit(request.action); !s.ok()) return s;
    if (Status s = checkRequest(request); !s.ok()) return s;
    auto changed = applyEdit(request);
    EditResult out;
    if (!m_auditLog.empty()) {
        const Status outcome = changed.ok() ? Status() : changed.status();
        out.audit_error =
            detail::recordEdit(m_auditLog, info(), request, request.entry_id, outcome);
    }
    if (!changed.ok()) return changed.status();
    out.entry = std::move(*changed);
    return out;
}

}  // namespace twat_cache
