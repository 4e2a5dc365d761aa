// Bounded key text and reversible name ids (see entry_key.h).
#include "inspect/entry_key.h"

#include <charconv>

#include "inspect/python_repr.h"

namespace twat_cache::detail {

namespace {

std::string groupedCount(std::uint64_t n) {
    std::string digits = std::to_string(n);
    for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, 1, ',');
    return digits;
}

}  // namespace

void setKeyText(EntrySummary& e, std::string rendered, std::uint64_t keyBytes, bool readWhole) {
    e.key_bytes = keyBytes;
    e.key_truncated = !readWhole || rendered.size() > kKeyTextBytes;
    if (e.key_truncated) {
        std::size_t cut = std::min(rendered.size(), kKeyTextBytes);
        while (cut > 0 && cut < rendered.size() &&
               (static_cast<unsigned char>(rendered[cut]) & 0xC0) == 0x80) {
            --cut;
        }
        rendered.resize(cut);
        rendered += "… (" + groupedCount(keyBytes) + " bytes)";
    }
    e.key_text = std::move(rendered);
}

std::string_view keyHead(std::string_view key) {
    if (key.size() < kKeyReadBytes) return key;  // shorter than the bound: whole
    key = key.substr(0, kKeyReadBytes);
    std::size_t lead = key.size();
    while (lead > 0 && key.size() - lead < 3 &&
           (static_cast<unsigned char>(key[lead - 1]) & 0xC0) == 0x80) {
        --lead;
    }
    if (lead > 0 && utf8SequenceLength(key, lead - 1) == 0) key = key.substr(0, lead - 1);
    return key;
}

std::string escapeName(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size();) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\\') {
            out += "\\\\";
            ++i;
            continue;
        }
        const std::size_t len = c < 0x20 || c == 0x7F ? 0 : utf8SequenceLength(bytes, i);
        const bool c1 = len == 2 && c == 0xC2 && static_cast<unsigned char>(bytes[i + 1]) < 0xA0;
        if (len == 0 || c1) {
            for (std::size_t k = 0; k < (c1 ? 2U : 1U); ++k) {
                appendHexEscape(out, static_cast<unsigned char>(bytes[i + k]));
            }
            i += c1 ? 2 : 1;
            continue;
        }
        out.append(bytes.substr(i, len));
        i += len;
    }
    return out;
}

Result<std::string> unescapeName(std::string_view id) {
    std::string out;
    out.reserve(id.size());
    for (std::size_t i = 0; i < id.size(); ++i) {
        if (id[i] != '\\') {
            out.push_back(id[i]);
            continue;
        }
        if (i + 1 < id.size() && id[i + 1] == '\\') {
            out.push_back('\\');
            ++i;
            continue;
        }
        unsigned byte = 0;
        const bool hex = i + 3 < id.size() && id[i + 1] == 'x' && [&] {
            const char* digits = id.data() + i + 2;
            return std::from_chars(digits, digits + 2, byte, 16).ptr == digits + 2;
        }();
        if (!hex) {
            return Status::invalidArgument(
                "malformed entry id (a backslash starts \\\\ or \\xNN): '" +
                sanitizeUtf8(id.substr(0, 200)) + "'");
        }
        out.push_back(static_cast<char>(byte));
        i += 3;
    }
    return out;
}

}  // namespace twat_cache::detail
