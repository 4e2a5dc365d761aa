// Editing one key of a RedisSource: its TTL (PEXPIRE, PERSIST), its name (RENAMENX) and a
// string's value (a script that writes only a string, keeping its TTL); the members of other
// types in redis_member_edit.cpp.
#include <string>
#include <vector>

#include "inspect/redis_source.h"
#include "redis/redis_cluster_slot.h"

namespace twat_cache::detail {

namespace {

// Writes ARGV[1] into KEYS[1] while it holds a string, keeping its TTL; otherwise returns the
// key's type ("none" when it is gone) and changes nothing.
constexpr const char* kSetStringScript = R"lua(
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'string' then return t end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 'string'
)lua";

Status noKey(std::string_view id) {
    return Status::notFound("no key " + std::string(id) + " (it was deleted or has expired)");
}

}  // namespace

Result<ReplyPtr> RedisSource::keyCommand(const std::string& key, std::vector<std::string> args,
                                         std::string_view doing) {
    Result<ReplyPtr> reply = Status::unavailable("no connection");
    if (m_cluster) {
        reply = m_cluster->runOne(keySlot(key), std::move(args), doing);
    } else {
        auto conn = connection();
        if (!conn.ok()) return conn.status();
        (*conn)->append(std::vector<std::string_view>(args.begin(), args.end()));
        reply = (*conn)->read(doing);
    }
    if (!reply.ok()) return reply.status();
    if (Status s = checkReply(**reply, doing); !s.ok()) return s;
    return reply;
}

Status RedisSource::supportsEdit(EditAction action) const {
    if ((action == EditAction::kSetValue || isMemberEdit(action)) && !m_permissions.eval.empty()) {
        // Values and members are written by scripts, so that only a key of the type shown is
        // ever changed.
        return Status::permissionDenied("not permitted by the server (" + m_permissions.eval + ")");
    }
    return {};
}

Result<EntrySummary> RedisSource::applyEdit(const EditRequest& request) {
    auto key = resolveKey(request.entry_id);
    if (!key.ok()) return key.status();
    std::string after = *key;  // the key to describe afterwards
    switch (request.action) {
        case EditAction::kSetTtl: {
            auto r =
                keyCommand(*key, {"PEXPIRE", *key, std::to_string(request.ttl.count())}, "PEXPIRE");
            if (!r.ok()) return r.status();
            if ((*r)->integer == 0) return noKey(request.entry_id);
            break;
        }
        case EditAction::kPersist: {
            // PERSIST answers 0 both for a missing key and for one without a TTL.
            auto r = keyCommand(*key, {"PERSIST", *key}, "PERSIST");
            if (!r.ok()) return r.status();
            if ((*r)->integer == 0) {
                auto exists = keyCommand(*key, {"EXISTS", *key}, "EXISTS");
                if (!exists.ok()) return exists.status();
                if ((*exists)->integer == 0) return noKey(request.entry_id);
            }
            break;
        }
        case EditAction::kRename: {
            const std::string& to = request.new_key;
            if (m_cluster && keySlot(*key) != keySlot(to)) {
                return Status::invalidArgument(
                    "CROSSSLOT: a Redis Cluster renames a key only within its hash slot, and '" +
                    RedisSource::idOf(to) + "' hashes to slot " + std::to_string(keySlot(to)) +
                    ", not " + std::to_string(keySlot(*key)) +
                    "; give both names the same hash tag ({...}) or copy the value instead");
            }
            auto exists = keyCommand(*key, {"EXISTS", *key}, "EXISTS");
            if (!exists.ok()) return exists.status();
            if ((*exists)->integer == 0) return noKey(request.entry_id);
            auto r = keyCommand(*key, {"RENAMENX", *key, to}, "RENAMENX");
            if (!r.ok()) return r.status();
            if ((*r)->integer == 0) {
                return Status::invalidArgument("a key named '" + RedisSource::idOf(to) +
                                               "' exists already: nothing was renamed");
            }
            after = to;
            break;
        }
        case EditAction::kSetValue: {
            auto r = keyCommand(*key, {"EVAL", kSetStringScript, "1", *key, request.value},
                                "EVAL (SET string value)");
            if (!r.ok()) return r.status();
            const std::string type(replyText(**r));
            if (type == "none") return noKey(request.entry_id);
            if (type != "string") {
                return Status::invalidArgument("key " + std::string(request.entry_id) +
                                               " holds a " + type +
                                               ", not a string: its value was not replaced");
            }
            break;
        }
        default:  // the members of a hash, list, set or sorted set
            if (Status s = applyMemberEdit(*key, request); !s.ok()) return s;
            break;
    }
    auto described = describe({after});
    if (!described.ok()) return described.status();
    return std::move(described->front());
}

}  // namespace twat_cache::detail
