// Entry edits: a change to one entry of an inspected cache in place (Source::edit in
// twat_cache/inspect.h) — its TTL, its name, a string value, or one member of a Redis hash,
// list, set or sorted set.
//
// Thread safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "twat_cache/export.h"

namespace twat_cache {

// A change to one entry in place (Source::edit).
enum class EditAction {
    kSetTtl,    // expire the entry `ttl` from now
    kPersist,   // remove its expiry: it lives until deleted
    kRename,    // give it the key `new_key`; refused when that key exists
    kSetValue,  // replace a string value with `value`, keeping its TTL
    // The members of a Redis hash, list, set or sorted set. Each action names the type it
    // expects: when the key holds another type by now, or is gone, nothing changes and edit()
    // says so (InvalidArgument, NotFound). The key keeps its TTL.
    kHashSet,       // hash: set field `member` to `value` (added when new)
    kHashDelete,    // hash: remove field `member`
    kListPushHead,  // list: insert `value` before the first element
    kListPushTail,  // list: append `value` after the last element
    kListSet,       // list: replace the element at `index` (required) with `value`
    // list: with `index`, remove the element there (when `expected` is given, only if it still
    // is that element); without, remove the first element equal to `member`.
    kListRemove,
    kSetAdd,      // set: add `member`; InvalidArgument when it is a member already
    kSetRemove,   // set: remove `member`
    kZsetAdd,     // sorted set: add `member` with `score`, or give it that score
    kZsetRemove,  // sorted set: remove `member`
};

// Stable lower-case name, also the audit log's action: "expire", "persist", "rename",
// "set_value", and for members "hset", "hdel", "lpush", "rpush", "lset", "lrem", "sadd",
// "srem", "zadd", "zrem".
TWAT_CACHE_EXPORT std::string_view editActionName(EditAction action);

struct EditRequest {
    EditAction action = EditAction::kSetTtl;
    std::string entry_id;              // as listed (EntrySummary::id)
    std::chrono::milliseconds ttl{0};  // kSetTtl: more than 0
    std::string new_key;               // kRename: the whole new key name (bytes)
    // kSetValue: the whole new value; kHashSet: the field's value; kListPush*, kListSet: the
    // new element (bytes, each).
    std::string value;
    // The hash field, set or sorted-set member, or (kListRemove by value) the list element.
    std::string member;
    std::optional<std::int64_t> index;    // kListSet, kListRemove: 0 first, -1 last
    std::optional<std::string> expected;  // kListSet, kListRemove: the element shown at index
    double score = 0;                     // kZsetAdd
    // When not empty: change the entry only while it still has this EntrySummary::fingerprint
    // (as shown); else Busy, nothing changed. Used by our native caches' expiry changes.
    std::string fingerprint;
};

// Whether `action` changes a member of a hash, list, set or sorted set (kHashSet and after).
TWAT_CACHE_EXPORT bool isMemberEdit(EditAction action);
// Whether `action` changes an entry's expiry (kSetTtl, kPersist).
TWAT_CACHE_EXPORT bool isExpiryEdit(EditAction action);

}  // namespace twat_cache
