// Path checks for deletion and reading inside a cache folder.
#include "inspect/path_guard.h"

#include <string>

namespace twat_cache::detail {
namespace fs = std::filesystem;

namespace {

bool isWithin(const fs::path& root, const fs::path& p) {
    auto r = root.begin();
    auto q = p.begin();
    for (; r != root.end(); ++r, ++q) {
        if (r->empty()) continue;  // trailing separator of root
        if (q == p.end() || *r != *q) return false;
    }
    return true;
}

}  // namespace

Status checkInside(const fs::path& root, const fs::path& path) {
    std::error_code ec;
    const fs::path realRoot = fs::weakly_canonical(root, ec);
    if (ec) return Status::ioError("cannot resolve cache folder " + root.string());
    const fs::path real = fs::weakly_canonical(path, ec);
    if (ec) return Status::ioError("cannot resolve " + path.string());
    if (real == realRoot || !isWithin(realRoot, real)) {
        return Status::permissionDenied("refused " + path.string() + ": it resolves to " +
                                        real.string() + ", outside the cache folder " +
                                        realRoot.string());
    }
    return {};
}

Result<fs::path> resolveInside(const fs::path& root, std::string_view relative) {
    const fs::path rel(relative);
    if (relative.empty() || rel.is_absolute() || rel.has_root_name()) {
        return Status::permissionDenied("refused path '" + std::string(relative) +
                                        "': not relative to the cache folder");
    }
    for (const auto& part : rel) {
        if (part == "..") {
            return Status::permissionDenied("refused path '" + std::string(relative) +
                                            "': it climbs out of the cache folder");
        }
    }
    fs::path full = root / rel;
    Status s = checkInside(root, full);
    if (!s.ok()) return s;
    return full;
}

}  // namespace twat_cache::detail
