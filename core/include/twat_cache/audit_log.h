// The audit log: one JSON line per executed maintenance plan or edit of an entry.
//
// Every Plan::execute() that got as far as deleting (or trying to) appends one record: when,
// who (user, program, process, host), which cache, what the plan was (the action and its
// pattern, limit or named keys), and what came of it (matched, deleted, bytes, entries kept
// because they changed since the preview, refusals, cancellation, the error if it stopped).
// `twat-cache log` prints it.
//
// The log lives at auditLogPath(): $XDG_STATE_HOME/twat-cache/deletions.jsonl, or
// ~/.local/state/twat-cache/deletions.jsonl when XDG_STATE_HOME is unset or not absolute
// (the XDG Base Directory specification). Each record is one write() of one line to a file
// opened with O_APPEND, so processes deleting at the same time do not interleave their
// records. When the file passes kAuditLogRotateBytes it is renamed to "deletions.jsonl.1"
// (replacing the previous one) and a new file starts: the log keeps between one and two
// rotation sizes of history.
//
// A log that cannot be written never undoes or blocks a deletion: execute() reports it in
// ExecuteResult::audit_error instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "twat_cache/export.h"
#include "twat_cache/status.h"

namespace twat_cache {

struct AuditRecord {
    std::int64_t time_ms = 0;  // Unix milliseconds, when the deletion ended
    // Who: the effective user's name (or uid), the program's name, its process id, the host.
    std::string user;
    std::string program;
    std::int64_t pid = 0;
    std::string host;
    // Which cache: its display name, kind (sourceKindName) and folder or masked URL.
    std::string source;
    std::string kind;
    std::string location;
    // What: the plan's action ("delete_entries", "clear_all", "clear_expired",
    // "prune_to_bytes", "prune_to_entries", "older_than", "match_glob"; "expire" or "persist"
    // for a plan that sets or removes TTLs) and its argument in words (the glob, the limit,
    // the age, or the first named keys). A change to one entry (Source::edit) is recorded
    // under its editActionName() ("expire", "persist", "rename", "set_value") with the key,
    // matched 1 and `updated` 1 when it was made.
    std::string action;
    std::string what;
    // The outcome (see ExecuteResult).
    std::uint64_t matched = 0;
    std::uint64_t deleted = 0;
    std::uint64_t updated = 0;  // entries changed in place (TTL set or removed, renamed, written)
    std::uint64_t bytes = 0;
    bool bytes_known = true;
    std::uint64_t changed = 0;  // kept: changed since the preview
    std::uint64_t refused = 0;  // kept: refused for safety
    bool cancelled = false;
    std::string error;  // why execute() stopped early; empty when it ran to its end
};

// The log's rotation size in bytes (see above).
inline constexpr std::uint64_t kAuditLogRotateBytes = 16ull << 20;

// Where the log is kept (see above); it need not exist yet.
TWAT_CACHE_EXPORT std::filesystem::path auditLogPath();

// Appends `record` as one JSON line to the log at `path`, creating its folder (mode 0700)
// and the file (mode 0600) when missing, and rotating it first when it is too large. Text is
// written as UTF-8 with invalid bytes replaced. IOError or PermissionDenied naming the path
// when it cannot.
TWAT_CACHE_EXPORT Status appendAuditRecord(const std::filesystem::path& path,
                                           const AuditRecord& record);

// The last `limit` records of the log at `path` (its rotated predecessor included), oldest
// first; a missing log is an empty list. Lines that are not records (a torn or foreign line)
// are skipped and counted in `skipped`.
struct AuditLog {
    std::vector<AuditRecord> records;
    std::uint64_t skipped = 0;
};
TWAT_CACHE_EXPORT Result<AuditLog> readAuditLog(const std::filesystem::path& path,
                                                std::size_t limit = 100);

}  // namespace twat_cache
