// NamespaceTree: counting keys per prefix, and the depth-first report of the counts.
#include "inspect/namespace_tree.h"

#include <algorithm>
#include <utility>

namespace twat_cache::detail {

namespace {
constexpr std::string_view kOtherName = "(other)";
}  // namespace

NamespaceTree::NamespaceTree(std::string separator, Limits limits)
    : m_separator(separator.empty() ? std::string(":") : std::move(separator)), m_limits(limits) {
    m_limits.max_depth = std::max<std::size_t>(m_limits.max_depth, 1);
    m_nodes.emplace_back();
}

std::uint32_t NamespaceTree::childFor(std::uint32_t parent, std::string_view segment, bool exempt) {
    std::string name(segment);
    {
        const Node& p = m_nodes[parent];
        if (auto it = p.children.find(name); it != p.children.end()) return it->second;
        const bool fits =
            p.children.size() < m_limits.max_children && m_bounded < m_limits.max_nodes;
        if (!fits && !exempt) {
            if (p.otherChild != kNone) return p.otherChild;
            const auto index = static_cast<std::uint32_t>(m_nodes.size());
            Node other;
            other.parent = parent;
            other.other = true;
            m_nodes.push_back(std::move(other));  // invalidates `p`
            m_nodes[parent].otherChild = index;
            return index;
        }
    }
    const auto index = static_cast<std::uint32_t>(m_nodes.size());
    Node child;
    child.segment = name;
    child.parent = parent;
    m_nodes.push_back(std::move(child));
    m_nodes[parent].children.emplace(std::move(name), index);
    if (!exempt) ++m_bounded;
    return index;
}

void NamespaceTree::add(std::string_view key, std::uint64_t bytes) {
    ++m_nodes[0].keys;
    m_nodes[0].bytes += bytes;
    std::size_t sep = key.find(m_separator);
    if (sep == std::string_view::npos || sep == 0) {
        const std::uint32_t none = childFor(0, {}, true);
        ++m_nodes[none].keys;
        ++m_nodes[none].leaf;
        m_nodes[none].bytes += bytes;
        return;
    }
    std::uint32_t current = 0;
    std::size_t pos = 0;
    for (std::size_t depth = 0; depth < m_limits.max_depth; ++depth) {
        const std::uint32_t child = childFor(current, key.substr(pos, sep - pos));
        ++m_nodes[child].keys;
        m_nodes[child].bytes += bytes;
        if (m_nodes[child].other) {
            ++m_folded;
            return;
        }
        current = child;
        pos = sep + m_separator.size();
        sep = key.find(m_separator, pos);
        if (sep == std::string_view::npos) {
            ++m_nodes[current].leaf;  // the rest of the key names the key itself
            return;
        }
    }
    // Deeper than max_depth: counted in `current` (already), as a key below it.
}

void NamespaceTree::fill(NamespaceReport& report, const Render& render) const {
    report.nodes.clear();
    report.nodes.reserve(m_nodes.size() - 1);
    report.folded_keys = m_folded;
    report.max_depth = m_limits.max_depth;

    // Children of a node in report order: most keys first, ties by name, "(other)" last.
    auto ordered = [this](std::uint32_t parent) {
        const Node& p = m_nodes[parent];
        std::vector<std::uint32_t> out;
        out.reserve(p.children.size() + 1);
        for (const auto& entry : p.children) out.push_back(entry.second);
        std::sort(out.begin(), out.end(), [this](std::uint32_t a, std::uint32_t b) {
            if (m_nodes[a].keys != m_nodes[b].keys) return m_nodes[a].keys > m_nodes[b].keys;
            return m_nodes[a].segment < m_nodes[b].segment;
        });
        if (p.otherChild != kNone) out.push_back(p.otherChild);
        return out;
    };

    // Depth-first with an explicit stack: (node, report index of its parent, raw prefix).
    struct Pending {
        std::uint32_t node;
        std::size_t parent;
        std::size_t depth;
        std::string rawPrefix;  // of the parent
    };
    std::vector<Pending> stack;
    auto push = [&](std::uint32_t parent, std::size_t reportParent, std::size_t depth,
                    const std::string& rawPrefix) {
        const auto children = ordered(parent);
        for (auto it = children.rbegin(); it != children.rend(); ++it) {
            stack.push_back({*it, reportParent, depth, rawPrefix});
        }
    };
    push(0, NamespaceReport::kNoParent, 1, {});
    while (!stack.empty()) {
        Pending at = std::move(stack.back());
        stack.pop_back();
        const Node& n = m_nodes[at.node];
        NamespaceReport::Node out;
        out.parent = at.parent;
        out.depth = at.depth;
        out.keys = n.keys;
        out.leaf_keys = n.leaf;
        out.bytes = n.bytes;
        out.other = n.other;
        if (n.other) {
            out.name = std::string(kOtherName);
            out.prefix = render(at.rawPrefix);
            report.nodes.push_back(std::move(out));
            continue;
        }
        std::string raw = at.depth == 1 ? n.segment : at.rawPrefix + m_separator + n.segment;
        out.name = render(n.segment);
        out.prefix = render(raw);
        report.nodes.push_back(std::move(out));
        push(at.node, report.nodes.size() - 1, at.depth + 1, raw);
    }
}

}  // namespace twat_cache::detail
