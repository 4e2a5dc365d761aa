// INFO reply text (see the header).
#include "redis/redis_info.h"

#include <charconv>

namespace twat_cache::detail {

std::string_view infoField(std::string_view info, std::string_view name) {
    std::size_t at = 0;
    while ((at = info.find(name, at)) != std::string_view::npos) {
        const bool lineStart = at == 0 || info[at - 1] == '\n';
        const std::size_t colon = at + name.size();
        if (lineStart && colon < info.size() && info[colon] == ':') {
            const std::size_t end = info.find_first_of("\r\n", colon + 1);
            return info.substr(colon + 1, end == std::string_view::npos ? end : end - colon - 1);
        }
        at = colon;
    }
    return {};
}

std::uint64_t parseCount(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() ? value : 0;
}

std::uint64_t infoNumber(std::string_view info, std::string_view name) {
    return parseCount(infoField(info, name));
}

std::uint64_t keyspaceNumber(std::string_view text, std::string_view name) {
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find(',', at);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view part = text.substr(at, end - at);
        if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
            return parseCount(part.substr(name.size() + 1));
        }
        at = end + 1;
    }
    return 0;
}

std::vector<std::pair<std::string, std::string>> infoFields(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = end + 1;
        if (line.empty() || line.front() == '#') continue;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        out.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    return out;
}

}  // namespace twat_cache::detail
