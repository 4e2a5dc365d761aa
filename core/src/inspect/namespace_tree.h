// NamespaceTree: key counts per namespace prefix at every depth, within fixed bounds.
//
// Keys are added one at a time (as a SCAN yields them); the tree keeps one node per distinct
// prefix up to the maximum depth, at most `max_children` children per node and `max_nodes`
// nodes in all. A segment that does not fit is counted in its parent's "(other)" node, so the
// memory used is bounded by the limits, not by the keyspace. fill() writes the tree into a
// NamespaceReport (see twat_cache/inspect.h for the meaning of each count).
//
// Keys without the separator, and keys that start with it (an empty first segment), are the
// leaf keys of one top-level node whose name and prefix are "" ("no namespace"); that node is
// never folded.
//
// Thread safety: none; owned and used by one Source.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "twat_cache/inspect.h"

namespace twat_cache::detail {

class NamespaceTree {
  public:
    struct Limits {
        std::size_t max_depth = 8;
        std::size_t max_children = 1000;
        std::size_t max_nodes = 50'000;
    };
    // Turns raw key bytes into display text (valid UTF-8).
    using Render = std::function<std::string(std::string_view)>;

    NamespaceTree(std::string separator, Limits limits);

    // Counts `key` (and `bytes`, the size of its value, where the caller knows it).
    void add(std::string_view key, std::uint64_t bytes = 0);
    // Writes nodes (depth-first, most keys first), folded_keys and max_depth into `report`.
    void fill(NamespaceReport& report, const Render& render) const;

    const std::string& separator() const { return m_separator; }
    const Limits& limits() const { return m_limits; }
    // Nodes held, "(other)" buckets included (for tests of the bounds).
    std::size_t nodeCount() const { return m_nodes.size() - 1; }

  private:
    static constexpr std::uint32_t kNone = 0xffffffffu;
    struct Node {
        std::string segment;  // raw bytes of this level's segment
        std::uint32_t parent = kNone;
        std::uint64_t keys = 0;
        std::uint64_t leaf = 0;
        std::uint64_t bytes = 0;
        double squares = 0;  // sum of squared sizes
        bool other = false;
        std::uint32_t otherChild = kNone;
        std::unordered_map<std::string, std::uint32_t> children;  // "(other)" not included
    };

    // The child of `parent` for `segment`, created when the bounds allow, else the parent's
    // "(other)" node. `exempt` creates it regardless of the bounds.
    std::uint32_t childFor(std::uint32_t parent, std::string_view segment, bool exempt = false);

    std::string m_separator;
    Limits m_limits;
    std::vector<Node> m_nodes;  // [0] is the whole keyspace (not reported)
    std::size_t m_bounded = 0;  // nodes that count toward max_nodes
    std::uint64_t m_folded = 0;
};

}  // namespace twat_cache::detail
