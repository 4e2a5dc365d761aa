// FolderSource: any cache folder, one entry per file (see listed_source.h).
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "inspect/contained_remover.h"
#include "inspect/entry_key.h"
#include "inspect/listed_source.h"
#include "inspect/path_guard.h"
#include "inspect/pickle_reader.h"
#include "util/fs_util.h"

namespace twat_cache::detail {
namespace fs = std::filesystem;

namespace {

class FolderSource final : public ListedSource {
  public:
    FolderSource(const SourceInfo& info, const OpenOptions& options)
        : ListedSource(info, options, "a plain folder does not record hits, misses or evictions",
                       info.path) {}

    Result<EntryDetail> detail(std::string_view entryId) override {
        auto file = entryPath(m_info.path, entryId);
        if (!file.ok()) return file.status();
        // A listed FIFO, socket or device gets a detail that says what it is (readValueHead).
        std::error_code ec;
        const auto status = fs::symlink_status(*file, ec);
        if (ec || !fs::exists(status) || fs::is_directory(status))
            return Status::notFound("no file " + std::string(entryId));
        EntryDetail d;
        d.summary = summaryOf(*file);
        d.value_file = *file;
        d.value_kind = "file";
        if (!readValueHead(*file, m_maxValueBytes, d)) return d;
        const std::string_view head = std::string_view(d.value_bytes)
                                          .substr(0, std::min(kPreviewBytes, d.value_bytes.size()));
        d.preview = sanitizeUtf8(head);
        return d;
    }

    Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) override {
        if (Status s = refuseIfReadOnly(); !s.ok()) return s;
        return removeEntries(m_info.path, batch);
    }

  private:
    EntrySummary summaryOf(const fs::path& file) const {
        EntrySummary e;
        nameEntry(e, file.lexically_relative(m_info.path).generic_string());
        std::error_code ec;
        if (!fs::is_symlink(file, ec)) e.size = fs::file_size(file, ec);
        if (ec) e.size = 0;
        if (struct stat st{}; ::lstat(file.c_str(), &st) == 0) e.fingerprint = fileFingerprint(st);
        const auto t = timesOf(file);
        e.stored_ms = t.modified_ms;
        e.accessed_ms = t.accessed_ms;
        return e;
    }

    // Every file (and symlink, not followed) at any depth is an entry, except the root's
    // CACHEDIR.TAG; real folders are walked into.
    FolderWalker::Kind classify(int /*dirFd*/, std::string_view name, const struct stat& st,
                                std::size_t depth) const override {
        if (S_ISDIR(st.st_mode)) return FolderWalker::Kind::kDescend;
        if (depth == 0 && name == "CACHEDIR.TAG") return FolderWalker::Kind::kSkip;
        return FolderWalker::Kind::kEntry;
    }

    std::optional<EntrySummary> summarize(const std::string& relative,
                                          const struct stat& st) const override {
        EntrySummary e;
        nameEntry(e, relative);
        e.size = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
        e.stored_ms = msOf(st.st_mtim);
        e.accessed_ms = msOf(st.st_atim);
        e.fingerprint = fileFingerprint(st);
        return e;
    }

    std::optional<EntrySummary> load(std::string_view id) const override {
        auto file = entryPath(m_info.path, id);
        std::error_code ec;
        if (!file.ok()) return std::nullopt;
        const auto status = fs::symlink_status(*file, ec);
        if (ec || !fs::exists(status) || fs::is_directory(status)) return std::nullopt;
        return summaryOf(*file);
    }
};

}  // namespace

Result<std::unique_ptr<Source>> openFolderSource(const SourceInfo& info,
                                                 const OpenOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(info.path, ec))
        return Status::notFound("no folder " + info.path.string());
    return std::unique_ptr<Source>(new FolderSource(info, options));
}

}  // namespace twat_cache::detail
