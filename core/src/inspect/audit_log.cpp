// The deletion audit log (twat_cache/audit_log.h): where it lives, appending one JSON line,
// and reading its tail back.
#include "twat_cache/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>

#include "twat_cache/clock.h"
#include "util/fs_util.h"

namespace twat_cache {

namespace fs = std::filesystem;

namespace {

// Reading stops looking further back than this: a log that outgrew its rotation (written by
// something else) is read from its last part only.
constexpr std::uint64_t kMaxTailBytes = 2 * kAuditLogRotateBytes;

nlohmann::json toJson(const AuditRecord& r) {
    nlohmann::json j;
    j["time"] = isoTimeUtc(r.time_ms);
    j["time_ms"] = r.time_ms;
    j["user"] = r.user;
    j["program"] = r.program;
    j["pid"] = r.pid;
    j["host"] = r.host;
    j["source"] = r.source;
    j["kind"] = r.kind;
    j["location"] = r.location;
    j["action"] = r.action;
    j["what"] = r.what;
    j["matched"] = r.matched;
    j["deleted"] = r.deleted;
    j["updated"] = r.updated;
    j["bytes"] = r.bytes;
    j["bytes_known"] = r.bytes_known;
    j["changed"] = r.changed;
    j["refused"] = r.refused;
    j["cancelled"] = r.cancelled;
    if (!r.error.empty()) j["error"] = r.error;
    return j;
}

template <typename T>
T field(const nlohmann::json& j, const char* name, T fallback) {
    const auto it = j.find(name);
    if (it == j.end() || it->is_null()) return fallback;
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        return fallback;
    }
}

bool fromJson(std::string_view line, AuditRecord& r) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("time_ms") || !j.contains("action")) return false;
    r.time_ms = field<std::int64_t>(j, "time_ms", 0);
    r.user = field<std::string>(j, "user", {});
    r.program = field<std::string>(j, "program", {});
    r.pid = field<std::int64_t>(j, "pid", 0);
    r.host = field<std::string>(j, "host", {});
    r.source = field<std::string>(j, "source", {});
    r.kind = field<std::string>(j, "kind", {});
    r.location = field<std::string>(j, "location", {});
    r.action = field<std::string>(j, "action", {});
    r.what = field<std::string>(j, "what", {});
    r.matched = field<std::uint64_t>(j, "matched", 0);
    r.deleted = field<std::uint64_t>(j, "deleted", 0);
    r.updated = field<std::uint64_t>(j, "updated", 0);
    r.bytes = field<std::uint64_t>(j, "bytes", 0);
    r.bytes_known = field<bool>(j, "bytes_known", true);
    r.changed = field<std::uint64_t>(j, "changed", 0);
    r.refused = field<std::uint64_t>(j, "refused", 0);
    r.cancelled = field<bool>(j, "cancelled", false);
    r.error = field<std::string>(j, "error", {});
    return true;
}

// The last kMaxTailBytes of the log at `path`, its first cut line dropped; "" when it does
// not exist.
Result<std::string> readTail(const fs::path& path) {
    auto tail = detail::readFileTail(path, kMaxTailBytes);
    if (!tail.ok()) {
        if (tail.status().isNotFound()) return std::string();
        return tail.status().withContext("the audit log");
    }
    std::string out = std::move(tail->bytes);
    if (tail->truncated) {  // the first line is cut: drop it
        const auto nl = out.find('\n');
        out.erase(0, nl == std::string::npos ? out.size() : nl + 1);
    }
    return out;
}

fs::path rotatedPath(const fs::path& path) {
    return fs::path(path.string() + ".1");
}

}  // namespace

fs::path auditLogPath() {
    fs::path base;
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/') {
        base = state;
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        base = fs::path(home) / ".local" / "state";
    } else {
        base = fs::temp_directory_path() / ("twat-cache-" + std::to_string(::geteuid()));
    }
    return base / "twat-cache" / "deletions.jsonl";
}

Status appendAuditRecord(const fs::path& path, const AuditRecord& record) {
    if (Status s = detail::createDirectories(path.parent_path(), true); !s.ok()) {
        return s.withContext("cannot create the audit log's folder");
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<std::uint64_t>(st.st_size) >= kAuditLogRotateBytes) {
        // Two writers may both rotate; the second renames a nearly empty file: harmless.
        if (::rename(path.c_str(), rotatedPath(path).c_str()) != 0 && errno != ENOENT) {
            return detail::statusFromErrno(errno, "cannot rotate the audit log", path);
        }
    }
    const std::string line =
        toJson(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    const int fd = ::open(
        path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    if (fd < 0) return detail::statusFromErrno(errno, "cannot open the audit log", path);
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Status::invalidArgument("the audit log " + path.string() + " is not a regular file");
    }
    // One write: with O_APPEND, concurrent records land whole, one after the other.
    ssize_t n;
    do {
        n = ::write(fd, line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    const int err = errno;
    ::close(fd);
    if (n < 0) return detail::statusFromErrno(err, "cannot write the audit log", path);
    if (static_cast<std::size_t>(n) != line.size()) {
        return Status::ioError("short write to the audit log " + path.string() +
                               " (no space left?)");
    }
    return {};
}

Result<AuditLog> readAuditLog(const fs::path& path, std::size_t limit) {
    AuditLog log;
    std::deque<AuditRecord> last;
    for (const fs::path& file : {rotatedPath(path), path}) {
        auto text = readTail(file);
        if (!text.ok()) return text.status();
        std::string_view rest = *text;
        while (!rest.empty()) {
            const auto nl = rest.find('\n');
            const std::string_view line = rest.substr(0, nl);
            rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
            if (line.empty()) continue;
            AuditRecord r;
            if (!fromJson(line, r)) {
                ++log.skipped;
                continue;
            }
            last.push_back(std::move(r));
            if (last.size() > limit) last.pop_front();
        }
    }
    log.records.assign(std::make_move_iterator(last.begin()), std::make_move_iterator(last.end()));
    return log;
}

}  // namespace twat_cache
