// zstd helpers (see zstd_util.h).
#include "util/zstd_util.h"

#include <zstd.h>

namespace twat_cache::detail {

std::optional<std::string> zstdCompress(std::string_view data, int level) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
    if (ZSTD_isError(n) != 0 || n >= data.size()) return std::nullopt;
    out.resize(n);
    return out;
}

Result<std::string> zstdDecompress(std::string_view frame, std::string_view origin,
                                   std::uint64_t limit) {
    const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > limit) {
        return Status::corruption(std::string(origin) + ": damaged compressed value");
    }
    std::string out(static_cast<std::size_t>(size), '\0');
    const std::size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
    if (ZSTD_isError(n) != 0 || n != out.size()) {
        return Status::corruption(std::string(origin) + ": damaged compressed value (" +
                                  ZSTD_getErrorName(n) + ")");
    }
    return out;
}

}  // namespace twat_cache::detail
