// Listing export (twat_cache/listing_export.h): CSV and JSON Lines, page by page.
#include "twat_cache/listing_export.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "util/fs_util.h"

namespace twat_cache {
namespace {

template <class T>
std::string optionalText(const std::optional<T>& v) {
    return v ? std::to_string(*v) : std::string();
}

template <class T>
nlohmann::json optionalJson(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// A unique temporary name beside `path`, created empty (O_EXCL), so two exports never share
// it; its mode is an ordinary file's (0666 minus the umask), which the rename keeps.
Result<std::filesystem::path> createTemp(const std::filesystem::path& path) {
    std::random_device random;
    for (int attempt = 0;; ++attempt) {
        const std::filesystem::path name =
            path.parent_path() /
            ("." + path.filename().string() + "." + std::to_string(::getpid()) + "." +
             std::to_string(random()) + ".tmp");
        const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            ::close(fd);
            return name;
        }
        if (errno != EEXIST || attempt >= 100) {
            return detail::statusFromErrno(errno, "cannot create a file beside", path);
        }
    }
}

}  // namespace

const std::vector<std::string_view>& listingColumns() {
    static const std::vector<std::string_view> kColumns = {
        "key",        "id",        "size",        "type", "length",
        "expires_ms", "stored_ms", "accessed_ms", "hits", "tag"};
    return kColumns;
}

std::string csvField(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string listingCsvHeader() {
    std::string out;
    for (const auto name : listingColumns()) {
        if (!out.empty()) out += ',';
        out += name;
    }
    return out + "\r\n";
}

std::string listingCsvRow(const EntrySummary& e) {
    const std::string fields[] = {csvField(e.key_text),      csvField(e.id),
                                  std::to_string(e.size),    csvField(e.type),
                                  optionalText(e.length),    optionalText(e.expires_ms),
                                  optionalText(e.stored_ms), optionalText(e.accessed_ms),
                                  optionalText(e.hits),      csvField(e.tag)};
    std::string out;
    for (const auto& f : fields) {
        if (&f != fields) out += ',';
        out += f;
    }
    return out + "\r\n";
}

std::string listingJsonLine(const EntrySummary& e) {
    const nlohmann::ordered_json j = {{"key", e.key_text},
                                      {"id", e.id},
                                      {"size", e.size},
                                      {"type", e.type},
                                      {"length", optionalJson(e.length)},
                                      {"expires_ms", optionalJson(e.expires_ms)},
                                      {"stored_ms", optionalJson(e.stored_ms)},
                                      {"accessed_ms", optionalJson(e.accessed_ms)},
                                      {"hits", optionalJson(e.hits)},
                                      {"tag", e.tag}};
    // Key texts are valid UTF-8; a tag need not be, and JSON must be.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Result<ListingExportResult> writeListing(Source& source, const ListingExportOptions& options,
                                         std::ostream& out, const ListingProgress& progress,
                                         const std::atomic<bool>* cancel) {
    ListingExportResult result;
    const bool csv = options.format == ListingFormat::kCsv;
    if (csv) out << listingCsvHeader();
    const std::size_t pageSize = options.page_size == 0 ? 1000 : options.page_size;
    std::string cursor;
    std::uint64_t scanned = 0;
    do {
        if (cancel != nullptr && cancel->load(std::memory_order_acquire)) {
            result.cancelled = true;
            break;
        }
        auto page = source.entries(cursor, pageSize, options.filter);
        if (!page.ok()) return page.status();
        std::string chunk;
        for (const auto& e : page->entries) chunk += csv ? listingCsvRow(e) : listingJsonLine(e);
        out << chunk;
        if (!out) return Status::ioError("cannot write the listing (the output failed)");
        result.written += page->entries.size();
        scanned += page->scanned;
        cursor = std::move(page->cursor);
        if (progress) progress(result.written, scanned, page->total);
    } while (!cursor.empty());
    out.flush();
    if (!out) return Status::ioError("cannot write the listing (the output failed)");
    return result;
}

Result<ListingExportResult> exportListing(Source& source, const ListingExportOptions& options,
                                          const std::filesystem::path& path,
                                          const ListingProgress& progress,
                                          const std::atomic<bool>* cancel) {
    auto temp = createTemp(path);
    if (!temp.ok()) return temp.status();
    // A file replaced keeps its permissions: a listing made private stays private.
    if (struct stat existing{}; ::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) {
        ::chmod(temp->c_str(), existing.st_mode & 07777);
    }
    Result<ListingExportResult> result = Status::ioError("cannot open " + temp->string());
    {
        std::ofstream file(*temp, std::ios::binary | std::ios::trunc);
        if (file) result = writeListing(source, options, file, progress, cancel);
        file.close();
        if (result.ok() && !file) {
            result = Status::ioError("cannot write " + path.string() + " (no space left?)");
        }
    }
    if (!result.ok() || result->cancelled) {
        std::error_code ignored;
        std::filesystem::remove(*temp, ignored);
        return result;
    }
    if (::rename(temp->c_str(), path.c_str()) != 0) {
        const Status failed = detail::statusFromErrno(errno, "cannot rename onto", path);
        std::error_code ignored;
        std::filesystem::remove(*temp, ignored);
        return failed;
    }
    return result;
}

}  // namespace twat_cache
