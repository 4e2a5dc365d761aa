// Rendering of our own stored values by Codec type tag (see value_render.h).
#include "inspect/value_render.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "inspect/pickle_reader.h"
#include "twat_cache/codec.h"

namespace twat_cache::detail {
namespace {

using Decoder = std::function<bool(std::string_view, std::string&)>;

template <class T>
std::pair<const std::uint64_t, std::pair<std::string, Decoder>> known() {
    Decoder d = [](std::string_view bytes, std::string& out) {
        T v{};
        if (!decodeFromString(bytes, v)) return false;
        describeValue(out, v);
        return true;
    };
    return {typeTag<T>(), {typeSignature<T>(), std::move(d)}};
}

// The types most memoized functions return. Others are shown as text or hex.
const std::map<std::uint64_t, std::pair<std::string, Decoder>>& knownTypes() {
    static const std::map<std::uint64_t, std::pair<std::string, Decoder>> table = {
        known<bool>(),
        known<int>(),
        known<unsigned>(),
        known<long>(),
        known<long long>(),
        known<unsigned long>(),
        known<unsigned long long>(),
        known<float>(),
        known<double>(),
        known<std::string>(),
        known<std::vector<int>>(),
        known<std::vector<long>>(),
        known<std::vector<long long>>(),
        known<std::vector<double>>(),
        known<std::vector<std::string>>(),
    };
    return table;
}

bool looksLikeText(std::string_view bytes) {
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
    }
    return sanitizeUtf8(bytes) == bytes;
}

}  // namespace

std::string hexPreview(std::string_view bytes, std::size_t limit) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        if (out.size() + 3 > limit) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        if (!out.empty()) out.push_back(' ');
        out.push_back(kHex[u >> 4]);
        out.push_back(kHex[u & 0xF]);
    }
    return out;
}

RenderedValue renderStoredValue(std::uint64_t typeTag, std::string_view payload, bool whole,
                                std::size_t limit) {
    RenderedValue r;
    const auto& table = knownTypes();
    if (auto it = table.find(typeTag); it != table.end()) {
        r.kind = it->second.first;
        std::string text;
        if (whole && it->second.second(payload, text)) {
            r.preview = sanitizeUtf8(text.size() > limit ? text.substr(0, limit) + "..." : text);
            return r;
        }
        r.preview = whole ? "<does not decode as " + r.kind + ">: " + hexPreview(payload, limit)
                          : "<" + r.kind + " larger than the preview bound>";
        return r;
    }
    const std::string_view head = payload.substr(0, std::min(payload.size(), limit));
    if (looksLikeText(head)) {
        r.kind = "text";
        r.preview = std::string(head) + (head.size() < payload.size() || !whole ? "..." : "");
    } else {
        r.kind = "binary";
        r.preview = hexPreview(payload, limit);
    }
    return r;
}

}  // namespace twat_cache::detail
