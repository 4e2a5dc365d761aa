// Changing one native entry's expiry in place (native_expiry.h).
#include "inspect/native_expiry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "files/files_io.h"
#include "format/envelope.h"
#include "inspect/contained_remover.h"
#include "sqlite/sqlite_db.h"
#include "sqlite/sqlite_format.h"
#include "sqlite/sqlite_txn.h"

namespace twat_cache::detail {

namespace {

Status changedSinceShown(const std::string& what) {
    return Status::busy(what + " was stored again since it was shown: its expiry was not changed");
}

}  // namespace

Status setSqliteEntryExpiry(Connection& conn, std::string_view key, std::int64_t expiresMs,
                            std::string_view fingerprint) {
    WriteTxn txn(conn);
    if (Status s = txn.begin(); !s.ok()) return s;
    {
        // In the write transaction: no store can replace the row between check and update.
        auto check = conn.prepare("SELECT rowid, created FROM entries WHERE key = ?1");
        if (!check.ok()) return check.status();
        check->bindBlob(1, key);
        auto row = check->step();
        if (!row.ok()) return row.status();
        if (!*row) return Status::notFound("the entry is gone (deleted, expired or evicted)");
        if (!fingerprint.empty() &&
            rowFingerprint(check->int64(0), check->int64(1)) != fingerprint) {
            return changedSinceShown("the entry");
        }
    }
    auto update = conn.prepare("UPDATE entries SET expires = ?2 WHERE key = ?1");
    if (!update.ok()) return update.status();
    update->bindBlob(1, key);
    update->bind(2, expiresMs);
    if (auto done = update->step(); !done.ok()) return done.status();
    return txn.commit();
}

Status setFilesEntryExpiry(const std::filesystem::path& entries, const std::string& hex,
                           std::int64_t expiresMs, std::string_view fingerprint) {
    static std::atomic<unsigned> counter{0};
    const std::string name = hex + std::string(kEntrySuffix);
    const std::string gone = "entry " + hex + " is gone (deleted, expired or evicted)";
    Fd top(openFolderAt(AT_FDCWD, entries.c_str()));
    if (!top.ok()) return Status::notFound(gone);
    Fd outer(openFolderAt(top.get(), hex.substr(0, 2).c_str()));
    if (!outer.ok()) return Status::notFound(gone);
    Fd folder(openFolderAt(outer.get(), hex.substr(2, 2).c_str()));
    if (!folder.ok()) return Status::notFound(gone);
    Fd in(::openat(folder.get(), name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st {};
    if (!in.ok() || ::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return Status::notFound(gone);
    }
    if (!fingerprint.empty() && fileFingerprint(st) != fingerprint) {
        return changedSinceShown("entry " + hex);
    }
    std::string bytes;
    if (!readFully(in.get(), bytes, static_cast<std::size_t>(st.st_size))) {
        return statusFromErrno(errno, "cannot read", (entries / name).string());
    }
    if (Status s = setEnvelopeExpiry(bytes, expiresMs); !s.ok()) {
        return s.withContext("entry " + hex);
    }
    // The engine's temporary name: its index walk removes one a crash left behind.
    const std::string temp = "." + name + "." + std::to_string(::getpid()) + "-" +
                             std::to_string(counter.fetch_add(1)) + std::string(kTempSuffix);
    Fd out(::openat(folder.get(), temp.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, st.st_mode & 07777));
    if (!out.ok()) return statusFromErrno(errno, "cannot write beside", (entries / name).string());
    const auto removeTemp = [&] { ::unlinkat(folder.get(), temp.c_str(), 0); };
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(out.get(), bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            const Status s =
                statusFromErrno(errno, "cannot write beside", (entries / name).string());
            removeTemp();
            return s;
        }
        written += static_cast<std::size_t>(n);
    }
    const struct timespec times[2] = {st.st_atim, st.st_mtim};  // keep the last access
    ::futimens(out.get(), times);
    struct stat now {};
    if (::fstatat(folder.get(), name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0) {
        removeTemp();
        return Status::notFound(gone);
    }
    if (now.st_ino != st.st_ino || now.st_dev != st.st_dev ||
        fileFingerprint(now) != fileFingerprint(st)) {
        removeTemp();
        return changedSinceShown("entry " + hex);
    }
    if (::renameat(folder.get(), temp.c_str(), folder.get(), name.c_str()) != 0) {
        const Status s = statusFromErrno(errno, "cannot replace", (entries / name).string());
        removeTemp();
        return s;
    }
    return {};
}

}  // namespace twat_cache::detail
