// Reading the text of an INFO reply ("# Section" headers and "name:value" lines, CRLF ends),
// for the inspection layer's statistics of servers and cluster nodes.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twat_cache::detail {

// The value of the line `name` ("" when missing).
std::string_view infoField(std::string_view info, std::string_view name);
// That value as a number (0 when missing or not a number).
std::uint64_t infoNumber(std::string_view info, std::string_view name);
// Every "name:value" line, in order.
std::vector<std::pair<std::string, std::string>> infoFields(std::string_view info);
// A decimal count such as an INFO value or a SCAN cursor part (0 when empty or not a number).
std::uint64_t parseCount(std::string_view text);
// In a keyspace line's value, "keys=12,expires=3,avg_ttl=0", the number after "name=" (0 when
// missing).
std::uint64_t keyspaceNumber(std::string_view text, std::string_view name);

}  // namespace twat_cache::detail
