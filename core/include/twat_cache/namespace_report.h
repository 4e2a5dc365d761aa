// NamespaceReport: the keys of an inspected cache counted per namespace, as a bounded tree
// (Source::namespaces and analyze(); twat_cache/inspect.h, twat_cache/analysis.h).
//
// Thread safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace twat_cache {

// Key counts per namespace, as a tree (see Source::namespaces).
//
// A key's namespaces are its prefixes up to each separator: with ":" the key
// "app:user:42:profile" lies in "app" (depth 1), "app:user" (depth 2) and "app:user:42"
// (depth 3), where it is a leaf key; its last segment ("profile") names the key itself. Keys
// without a separator are counted in one depth-1 node whose prefix is "" (no namespace).
//
// Bounds (OpenOptions): prefixes deeper than `namespace_max_depth` are not split further
// (their keys count in the deepest node, not as its leaf keys); a node keeps at most
// `namespace_max_children` distinct children and the whole tree at most `namespace_max_nodes`
// nodes. A segment that does not fit is folded into its parent's "(other)" child, which
// counts every key under the folded prefixes and has no children of its own. So memory stays
// bounded however many distinct segments the keyspace has (e.g. "session:<uuid>").
struct NamespaceReport {
    static constexpr std::size_t kNoParent = static_cast<std::size_t>(-1);

    struct Node {
        std::string name;    // this level's segment; "" for keys without a separator;
                             // "(other)" for a folded bucket
        std::string prefix;  // the whole prefix ("app:user"), without a trailing separator;
                             // "" for the no-namespace node; the parent's for "(other)"
        std::size_t parent = kNoParent;  // index of the parent in `nodes`; kNoParent at depth 1
        std::size_t depth = 1;           // 1 for top-level namespaces
        std::uint64_t keys = 0;          // keys under this prefix, at any depth
        std::uint64_t leaf_keys = 0;     // keys directly at this level: prefix + sep + name
        std::uint64_t bytes = 0;         // their values' sizes, where counted (analyze(); the
                                         // namespaces() of joblib stores and folders)
        double bytes_squares = 0;        // the sum of their squares (a sample's intervals)
        bool other = false;              // a bucket of folded prefixes (see above)

        // Keys in namespaces below this one (or deeper than the maximum depth).
        std::uint64_t keysBelow() const { return keys - leaf_keys; }
    };
    // Every node, parents before their children (depth-first); siblings with most keys first,
    // "(other)" last among its siblings.
    std::vector<Node> nodes;
    std::uint64_t keys_scanned = 0;  // keys examined so far
    bool complete = false;           // the whole keyspace has been examined
    std::uint64_t folded_keys = 0;   // keys counted in "(other)" nodes (0: nothing folded)
    std::size_t max_depth = 0;       // the depth bound the counts were made with

    // Indexes of the children of `parent` (kNoParent: the top level), in `nodes` order.
    // Linear in the number of nodes: walk `nodes` in order to visit the whole tree.
    std::vector<std::size_t> childrenOf(std::size_t parent) const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (nodes[i].parent == parent) out.push_back(i);
        }
        return out;
    }
};

}  // namespace twat_cache
