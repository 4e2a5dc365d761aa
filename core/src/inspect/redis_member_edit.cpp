// Editing the members of a Redis hash, list, set or sorted set (EditAction::kHashSet and
// after): one script per edit checks the key's type and changes the member atomically, so a
// key that changed type since it was shown (or is gone) is never touched.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "inspect/redis_source.h"

namespace twat_cache::detail {

namespace {

// KEYS[1]: the key. ARGV[1]: the type the edit expects; ARGV[2]: the operation; the rest its
// arguments. Returns {type} when the key holds another type ("none": gone) and changes
// nothing; else {type, n}: the command's count, or -1 (no element at that list index), -2 (the
// element there is not the expected one).
//
// A list element is removed by its index by writing a tombstone there and removing that one
// value (LSET, LREM 1): the tombstone holds 16 random bytes, so no other element equals it,
// and the script runs atomically, so no client ever sees it.
constexpr const char* kMemberScript = R"lua(
local k = KEYS[1]
local t = redis.call('TYPE', k).ok
if t ~= ARGV[1] then return {t} end
local op = ARGV[2]
if op == 'lset' or op == 'lrem_at' then
    local cur = redis.call('LINDEX', k, ARGV[3])
    if not cur then return {t, -1} end
    if ARGV[5] == '1' and cur ~= ARGV[6] then return {t, -2} end
    redis.call('LSET', k, ARGV[3], ARGV[4])
    if op == 'lset' then return {t, 1} end
    return {t, redis.call('LREM', k, 1, ARGV[4])}
end
if op == 'lrem' then return {t, redis.call('LREM', k, 1, ARGV[3])} end
if op == 'zadd' then return {t, redis.call('ZADD', k, ARGV[4], ARGV[3])} end
if op == 'hset' then return {t, redis.call('HSET', k, ARGV[3], ARGV[4])} end
return {t, redis.call(op, k, ARGV[3])}
)lua";

struct MemberOp {
    const char* type;       // what TYPE answers for the key the edit expects
    const char* operation;  // ARGV[2]
    const char* noun;       // for messages: "field", "element", "member"
};

MemberOp memberOp(EditAction action, bool byIndex) {
    switch (action) {
        case EditAction::kHashSet:
            return {"hash", "hset", "field"};
        case EditAction::kHashDelete:
            return {"hash", "hdel", "field"};
        case EditAction::kListPushHead:
            return {"list", "lpush", "element"};
        case EditAction::kListPushTail:
            return {"list", "rpush", "element"};
        case EditAction::kListSet:
            return {"list", "lset", "element"};
        case EditAction::kListRemove:
            return {"list", byIndex ? "lrem_at" : "lrem", "element"};
        case EditAction::kSetAdd:
            return {"set", "sadd", "member"};
        case EditAction::kSetRemove:
            return {"set", "srem", "member"};
        case EditAction::kZsetAdd:
            return {"zset", "zadd", "member"};
        default:
            return {"zset", "zrem", "member"};
    }
}

// Redis's text of a score: the shortest that reads back as the same double.
std::string scoreText(double score) {
    if (std::isinf(score)) return score > 0 ? "+inf" : "-inf";
    char text[32];
    for (int digits = 15; digits <= 17; ++digits) {
        std::snprintf(text, sizeof text, "%.*g", digits, score);
        if (std::strtod(text, nullptr) == score) break;
    }
    return text;
}

std::string tombstone() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device random;
    std::string t = "twat-cache:removing:";
    for (int i = 0; i < 32; ++i) t += kHex[random() % 16];
    return t;
}

// A member as a message shows it: printable and bounded.
std::string shown(std::string_view bytes) {
    std::string out = "'" + RedisSource::idOf(bytes.substr(0, 80)) + "'";
    if (bytes.size() > 80) out += "…";
    return out;
}

}  // namespace

Status RedisSource::applyMemberEdit(const std::string& key, const EditRequest& request) {
    const EditAction action = request.action;
    const bool byIndex = request.index.has_value();
    const MemberOp op = memberOp(action, byIndex);
    std::vector<std::string> args = {"EVAL", kMemberScript, "1", key, op.type, op.operation};
    const std::string index = byIndex ? std::to_string(*request.index) : std::string();
    switch (action) {
        case EditAction::kHashSet:
            args.insert(args.end(), {request.member, request.value});
            break;
        case EditAction::kListPushHead:
        case EditAction::kListPushTail:
            args.push_back(request.value);
            break;
        case EditAction::kListSet:
        case EditAction::kListRemove:
            if (action == EditAction::kListRemove && !byIndex) {
                args.push_back(request.member);
                break;
            }
            args.insert(args.end(),
                        {index, action == EditAction::kListSet ? request.value : tombstone(),
                         request.expected ? "1" : "0", request.expected.value_or("")});
            break;
        case EditAction::kZsetAdd:
            args.insert(args.end(), {request.member, scoreText(request.score)});
            break;
        default:  // hdel, sadd, srem, zrem
            args.push_back(request.member);
            break;
    }
    auto r = keyCommand(key, std::move(args), std::string("EVAL (") + op.operation + ")");
    if (!r.ok()) return r.status();
    const redisReply& reply = **r;
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 1) {
        return Status::corruption("unexpected reply to the member edit script");
    }
    const std::string type(replyText(*reply.element[0]));
    const std::string id = idOf(key);
    if (type == "none") {
        return Status::notFound("no key " + id + " (it was deleted or has expired)");
    }
    if (type != op.type || reply.elements < 2) {
        return Status::invalidArgument("key " + id + " holds a " + type + ", not a " + op.type +
                                       " (it changed since it was shown): nothing was changed");
    }
    const long long n = reply.element[1]->integer;
    if (n == -1) {
        return Status::notFound("list " + id + " has no element at index " + index +
                                " (it is shorter now): nothing was changed");
    }
    if (n == -2) {
        return Status::invalidArgument("the element at index " + index + " of list " + id +
                                       " is not " + shown(request.expected.value_or("")) +
                                       " any more (the list changed): nothing was changed");
    }
    const bool removal = action == EditAction::kHashDelete || action == EditAction::kListRemove ||
                         action == EditAction::kSetRemove || action == EditAction::kZsetRemove;
    if (removal && n == 0) {
        return Status::notFound("no " + std::string(op.noun) + " " + shown(request.member) +
                                " in " + op.type + " " + id + ": nothing was removed");
    }
    if (action == EditAction::kSetAdd && n == 0) {
        return Status::invalidArgument(shown(request.member) + " is a member of set " + id +
                                       " already: nothing was changed");
    }
    return {};
}

}  // namespace twat_cache::detail
