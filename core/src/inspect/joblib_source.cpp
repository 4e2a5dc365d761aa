// JoblibSource: a joblib.Memory store, one entry per cached call (see listed_source.h).
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

class JoblibSource final : public ListedSource {
  public:
    JoblibSource(SourceInfo info, const OpenOptions& options, fs::path dir)
        : ListedSource(std::move(info), options,
                       "joblib does not record hits, misses or evictions; compute time: the "
                       "durations joblib recorded for its calls",
                       dir, /*matchPaths=*/true),
          m_dir(std::move(dir)) {}

    // The tag of a call is its function (module/function).
    std::vector<EntryColumn> columns() const override {
        return {EntryColumn::kKey,      EntryColumn::kSize, EntryColumn::kStored,
                EntryColumn::kAccessed, EntryColumn::kTag,  EntryColumn::kComputeTime};
    }

    // joblib records each call's duration: its compute time sorts through the index too.
    std::vector<SortKey> sortKeys() const override {
        return {SortKey::kKey, SortKey::kSize, SortKey::kStored, SortKey::kAccessed,
                SortKey::kComputeTime};
    }

    Result<EntryDetail> detail(std::string_view entryId) override {
        auto callDir = entryPath(m_dir, entryId);
        if (!callDir.ok()) return callDir.status();
        std::error_code ec;
        if (!fs::is_directory(*callDir, ec))
            return Status::notFound("no call " + std::string(entryId));
        EntryDetail d;
        d.summary = summaryOf(*callDir);
        const fs::path output = *callDir / "output.pkl";
        d.value_file = output;
        d.value_kind = "pickle";
        if (!readValueHead(output, m_maxValueBytes, d)) {
            // d.preview says why
        } else if (d.truncated) {
            d.preview = "<pickle larger than the preview bound>";
        } else {
            auto r = renderPickle(d.value_bytes, PickleRenderOptions{.max_output = kPreviewBytes});
            d.preview = r.ok() ? *r : "<unreadable pickle: " + r.status().message() + ">";
        }
        auto meta = readMetadata(*callDir);
        if (meta.is_object() && meta.contains("duration") && meta["duration"].is_number()) {
            d.note = "computed in " + std::to_string(meta["duration"].get<double>()) + " s";
        }
        return d;
    }

    Result<BatchOutcome> deleteBatch(const std::vector<EntrySummary>& batch) override {
        if (Status s = refuseIfReadOnly(); !s.ok()) return s;
        return removeEntries(m_dir, batch);
    }

  private:
    // joblib's metadata.json: small; a larger one, a FIFO or a symlink is treated as absent.
    static nlohmann::ordered_json readMetadata(const fs::path& callDir) {
        auto head = readFileHead(callDir / "metadata.json", kMaxMetadataBytes);
        if (!head.ok() || head->truncated) return {};
        return nlohmann::ordered_json::parse(head->bytes, nullptr, false);
    }
    static constexpr std::size_t kMaxMetadataBytes = 1 << 20;

    EntrySummary summaryOf(const fs::path& callDir) const {
        EntrySummary e;
        e.id = escapeName(callDir.lexically_relative(m_dir).generic_string());
        const fs::path funcDir = callDir.parent_path();
        e.tag = sanitizeUtf8(funcDir.parent_path().lexically_relative(m_dir).generic_string());
        std::string args;
        auto meta = readMetadata(callDir);
        if (meta.is_object() && meta.contains("input_args") && meta["input_args"].is_object()) {
            for (const auto& [name, repr] : meta["input_args"].items()) {
                if (!args.empty()) args += ", ";
                args += name + "=" + (repr.is_string() ? repr.get<std::string>() : repr.dump());
            }
        } else {
            args = "?";
        }
        const std::string call = funcDir.filename().string() + "(" + args + ")";
        setKeyText(e, sanitizeUtf8(keyHead(call)), call.size(), call.size() <= kKeyReadBytes);
        e.size = treeBytes(callDir);
        // joblib records each call's duration (seconds), never its hits: saved_ns stays unknown.
        if (meta.is_object() && meta.contains("duration") && meta["duration"].is_number()) {
            const double seconds = meta["duration"].get<double>();
            if (seconds >= 0 && seconds < 1e9) {
                e.compute_ns = static_cast<std::uint64_t>(seconds * 1e9);
            }
        }
        if (struct stat st{}; ::lstat(callDir.c_str(), &st) == 0)
            e.fingerprint = fileFingerprint(st);
        fs::path stamp = callDir / "output.pkl";
        std::error_code ec;
        if (!fs::exists(stamp, ec)) stamp = callDir / "metadata.json";
        const auto t = timesOf(stamp);
        e.stored_ms = t.modified_ms;
        e.accessed_ms = t.accessed_ms;
        return e;
    }

    // Calls are folders with output.pkl or metadata.json inside function folders (those with
    // func_code.py); every other real folder is walked into (symlinked ones are not).
    FolderWalker::Kind classify(int dirFd, std::string_view name, const struct stat& st,
                                std::size_t /*depth*/) const override {
        if (!S_ISDIR(st.st_mode)) return FolderWalker::Kind::kSkip;
        const std::string n(name);
        if (existsAt(dirFd, n + "/func_code.py")) return FolderWalker::Kind::kDescend;
        if (existsAt(dirFd, "func_code.py") &&
            (existsAt(dirFd, n + "/output.pkl") || existsAt(dirFd, n + "/metadata.json"))) {
            return FolderWalker::Kind::kEntry;
        }
        return FolderWalker::Kind::kDescend;
    }

    std::optional<EntrySummary> summarize(const std::string& relative,
                                          const struct stat& /*st*/) const override {
        return summaryOf(m_dir / relative);
    }

    std::optional<EntrySummary> load(std::string_view id) const override {
        auto callDir = entryPath(m_dir, id);
        std::error_code ec;
        if (!callDir.ok() || !fs::is_directory(*callDir, ec) || fs::is_symlink(*callDir, ec))
            return std::nullopt;
        return summaryOf(*callDir);
    }

    fs::path m_dir;
};

}  // namespace

fs::path joblibDirOf(const fs::path& path) {
    std::error_code ec;
    if (path.filename() == "joblib" && fs::is_directory(path, ec)) return path;
    if (fs::is_directory(path / "joblib", ec)) return path / "joblib";
    return {};
}

Result<std::unique_ptr<Source>> openJoblibSource(const SourceInfo& info,
                                                 const OpenOptions& options) {
    fs::path dir = joblibDirOf(info.path);
    if (dir.empty()) return Status::notFound("no joblib store at " + info.path.string());
    return std::unique_ptr<Source>(new JoblibSource(info, options, std::move(dir)));
}

}  // namespace twat_cache::detail
