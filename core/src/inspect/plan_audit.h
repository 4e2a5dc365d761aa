// What a plan records in the audit log when it executes (twat_cache/audit_log.h): the
// source and the request in words, fixed when the plan is made, and the record of each
// execution.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "twat_cache/inspect.h"

namespace twat_cache::detail {

struct PlanAudit {
    std::filesystem::path log;
    std::string source;
    std::string kind;
    std::string location;
    std::string action;
    std::string what;
    bool bytes_known = true;
};

// The audit context of a plan made for `request` on the source described by `info`.
std::shared_ptr<const PlanAudit> makePlanAudit(std::filesystem::path log, const SourceInfo& info,
                                               const PlanRequest& request,
                                               const PlanPreview& preview);

// Appends the record of one execution with `result` (a failure included). Returns "" when it
// was recorded, else why not, in words.
std::string recordExecution(const PlanAudit& audit, const Result<ExecuteResult>& result);

// Appends the record of one Source::edit() of the entry `key` (its key text) on the source
// described by `info`, with its outcome `status`. Returns "" when it was recorded, else why
// not, in words.
std::string recordEdit(const std::filesystem::path& log, const SourceInfo& info,
                       const EditRequest& request, std::string_view key, const Status& status);

}  // namespace twat_cache::detail
