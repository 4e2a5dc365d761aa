// SqliteHandle: read-only-by-default connections with a short busy timeout.
#include "inspect/sqlite_handle.h"

namespace twat_cache::detail {
namespace {

Status statusFor(int code, const std::string& message) {
    switch (code & 0xFF) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return Status::busy(message);
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return Status::corruption(message);
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            return Status::permissionDenied(message);
        case SQLITE_CANTOPEN:
            return Status::notFound(message);
        default:
            return Status::ioError(message);
    }
}

// Percent-encodes the characters that a file: URI gives meaning to.
std::string uriPath(const std::filesystem::path& p) {
    std::string out;
    for (const char c : p.string()) {
        if (c == '%' || c == '?' || c == '#') {
            static constexpr char kHex[] = "0123456789ABCDEF";
            const auto u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0xF]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

Result<bool> SqliteStatement::step() {
    const int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3* db = sqlite3_db_handle(m_stmt.get());
    return statusFor(rc, std::string("sqlite step: ") + sqlite3_errmsg(db));
}

std::string_view SqliteStatement::bytes(int col) const {
    const void* p = type(col) == SQLITE_BLOB ? sqlite3_column_blob(m_stmt.get(), col)
                                             : sqlite3_column_text(m_stmt.get(), col);
    const int n = sqlite3_column_bytes(m_stmt.get(), col);
    if (p == nullptr || n <= 0) return {};
    return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

Result<std::unique_ptr<SqliteHandle>> SqliteHandle::open(const std::filesystem::path& file,
                                                         bool readOnly, int busyTimeoutMs) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return Status::notFound("no database file " + file.string());
    }
    const std::string uri = "file:" + uriPath(file) + (readOnly ? "?mode=ro" : "?mode=rw");
    sqlite3* db = nullptr;
    const int flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_URI |
                      SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(uri.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg =
            "cannot open " + file.string() + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return statusFor(rc, msg);
    }
    sqlite3_busy_timeout(db, busyTimeoutMs);
    sqlite3_extended_result_codes(db, 1);
    if (readOnly) {
        // mode=ro already refuses writes to the file; query_only also refuses them at the
        // statement level, so no code path of ours can change a cache it only reads.
        sqlite3_exec(db, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
    }
    return std::unique_ptr<SqliteHandle>(new SqliteHandle(db, file));
}

SqliteHandle::~SqliteHandle() {
    sqlite3_close(m_db);
}

Result<SqliteStatement> SqliteHandle::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return error("prepare");
    return SqliteStatement(stmt);
}

Status SqliteHandle::exec(std::string_view sql) {
    const int rc = sqlite3_exec(m_db, std::string(sql).c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return error("exec");
    return {};
}

Status SqliteHandle::error(std::string_view doing) const {
    return statusFor(sqlite3_extended_errcode(m_db),
                     m_file.string() + ": " + std::string(doing) + ": " + sqlite3_errmsg(m_db));
}

}  // namespace twat_cache::detail
