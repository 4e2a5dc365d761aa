// Source and Plan: the shared half of every inspection source — key filters, and maintenance
// as plan -> preview -> execute over the source's own listing and batch deletion.
#include <algorithm>
#include <cctype>
#include <string>

#include "inspect/plan_audit.h"
#include "inspect/ttl_edit_plan.h"
#include "inspect/value_density.h"
#include "twat_cache/inspect.h"

namespace twat_cache {

std::string_view sourceKindName(SourceKind kind) {
    switch (kind) {
        case SourceKind::kDiskcache:
            return "diskcache";
        case SourceKind::kJoblib:
            return "joblib";
        case SourceKind::kFolder:
            return "folder";
        case SourceKind::kNativeSqlite:
            return "native_sqlite";
        case SourceKind::kNativeFiles:
            return "native_files";
        case SourceKind::kRedis:
            return "redis";
    }
    return "unknown";
}

std::string_view entryColumnName(EntryColumn column) {
    switch (column) {
        case EntryColumn::kKey:
            return "key";
        case EntryColumn::kSize:
            return "size";
        case EntryColumn::kStored:
            return "stored";
        case EntryColumn::kAccessed:
            return "accessed";
        case EntryColumn::kExpires:
            return "expires";
        case EntryColumn::kHits:
            return "hits";
        case EntryColumn::kTag:
            return "tag";
        case EntryColumn::kType:
            return "type";
        case EntryColumn::kTtl:
            return "ttl";
        case EntryColumn::kLength:
            return "length";
        case EntryColumn::kMemory:
            return "memory";
        case EntryColumn::kEncoding:
            return "encoding";
        case EntryColumn::kComputeTime:
            return "compute_time";
        case EntryColumn::kTimeSaved:
            return "time_saved";
    }
    return "unknown";
}

namespace {

// Matches one [set] at pattern[pi] (just after '['); sets pi past ']' and returns the match.
bool matchSet(std::string_view pattern, std::size_t& pi, char c, bool& wellFormed) {
    std::size_t i = pi;
    bool negate = false;
    if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
        negate = true;
        ++i;
    }
    bool matched = false;
    bool first = true;
    while (i < pattern.size() && (first || pattern[i] != ']')) {
        first = false;
        char lo = pattern[i];
        if (lo == '\\' && i + 1 < pattern.size()) lo = pattern[++i];
        char hi = lo;
        if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            hi = pattern[i + 2];
            i += 2;
        }
        if (c >= lo && c <= hi) matched = true;
        ++i;
    }
    wellFormed = i < pattern.size();
    pi = i + 1;
    return matched != negate;
}

}  // namespace

bool globMatch(std::string_view pattern, std::string_view text) {
    // Iterative matcher with one backtrack point for the last '*': linear in practice.
    std::size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
    while (t < text.size()) {
        bool advanced = false;
        if (p < pattern.size()) {
            const char pc = pattern[p];
            if (pc == '*') {
                starP = p++;
                starT = t;
                continue;
            }
            if (pc == '?') {
                ++p;
                ++t;
                advanced = true;
            } else if (pc == '[') {
                std::size_t q = p + 1;
                bool wellFormed = true;
                const bool m = matchSet(pattern, q, text[t], wellFormed);
                if (!wellFormed) {
                    if (text[t] == '[') {
                        ++p;
                        ++t;
                        advanced = true;
                    }
                } else if (m) {
                    p = q;
                    ++t;
                    advanced = true;
                }
            } else {
                char lit = pc;
                std::size_t next = p + 1;
                if (pc == '\\' && p + 1 < pattern.size()) {
                    lit = pattern[p + 1];
                    next = p + 2;
                }
                if (lit == text[t]) {
                    p = next;
                    ++t;
                    advanced = true;
                }
            }
        }
        if (advanced) continue;
        if (starP == std::string_view::npos) return false;
        p = starP + 1;
        t = ++starT;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool EntryFilter::matches(std::string_view keyText) const {
    if (!substring.empty() && keyText.find(substring) == std::string_view::npos) return false;
    if (!glob.empty() && !globMatch(glob, keyText)) return false;
    return true;
}

Plan::Plan() = default;
Plan::~Plan() = default;

Result<ExecuteResult> Plan::execute(const ProgressCallback& progress,
                                    const std::atomic<bool>* cancel) {
    auto result = run(progress, cancel);
    if (m_audit) {
        std::string why = detail::recordExecution(*m_audit, result);
        if (result.ok()) result->audit_error = std::move(why);
    }
    return result;
}
Source::~Source() = default;

Source::Source(bool readOnly, std::shared_ptr<Clock> clock)
    : m_readOnly(readOnly), m_clock(clock ? std::move(clock) : Clock::system()) {}

Status Source::refuseIfReadOnly() const {
    if (!m_readOnly) return {};
    return Status::permissionDenied("source " + info().name + " is read-only: nothing was changed");
}

Status Source::supports(PlanRequest::Action action) const {
    // A bulk TTL change is the plan form of the one-entry edit: same support.
    if (action == PlanRequest::Action::kSetTtl) return supportsEdit(EditAction::kSetTtl);
    return {};
}

Result<NamespaceReport> Source::namespaces(std::size_t /*budget*/) {
    return Status::notSupported(std::string(sourceKindName(info().kind)) +
                                " sources have no key namespaces");
}

Result<ServerInfo> Source::serverInfo() {
    return Status::notSupported(std::string(sourceKindName(info().kind)) +
                                " sources have no server information");
}

Result<std::vector<SlowlogEntry>> Source::slowlog(std::size_t /*n*/) {
    return Status::notSupported(std::string(sourceKindName(info().kind)) +
                                " sources have no slow log");
}

Status Source::selectDatabase(int /*db*/) {
    return Status::notSupported(std::string(sourceKindName(info().kind)) +
                                " sources have no numbered databases");
}

std::vector<EntryColumn> Source::columns() const {
    return {EntryColumn::kKey, EntryColumn::kSize, EntryColumn::kStored, EntryColumn::kAccessed};
}

Result<std::vector<EntrySummary>> Source::sample(std::size_t /*n*/) {
    return Status::notSupported(std::string(sourceKindName(info().kind)) +
                                " sources cannot draw a random sample; take a census instead");
}

Result<ValuePage> Source::valuePage(std::string_view /*entryId*/, const ValueQuery& /*query*/) {
    return Status::notSupported(std::string(sourceKindName(info().kind)) +
                                " sources have no value pages (Redis keys only)");
}

namespace {

constexpr std::size_t kScanPage = 1000;
constexpr std::size_t kDeleteBatch = 200;

class CandidatePlan final : public Plan {
  public:
    CandidatePlan(Source& source, std::vector<EntrySummary> candidates)
        : m_source(source), m_candidates(std::move(candidates)) {
        m_preview.count = m_candidates.size();
        for (const auto& c : m_candidates) {
            m_preview.bytes += c.size;
            if (m_preview.sample.size() < PlanPreview::kSampleSize) m_preview.sample.push_back(c);
        }
    }

    const PlanPreview& preview() const override { return m_preview; }

  private:
    Result<ExecuteResult> run(const ProgressCallback& progress,
                              const std::atomic<bool>* cancel) override {
        if (m_source.readOnly()) {
            return Status::permissionDenied("source " + m_source.info().name +
                                            " is read-only: nothing was deleted");
        }
        ExecuteResult result;
        result.matched = m_candidates.size();
        std::vector<EntrySummary> batch;
        for (std::size_t at = 0; at < m_candidates.size(); at += kDeleteBatch) {
            if (cancel && cancel->load(std::memory_order_acquire)) {
                result.cancelled = true;
                break;
            }
            const std::size_t end = std::min(at + kDeleteBatch, m_candidates.size());
            batch.assign(m_candidates.begin() + static_cast<std::ptrdiff_t>(at),
                         m_candidates.begin() + static_cast<std::ptrdiff_t>(end));
            auto outcome = m_source.deleteBatch(batch);
            if (!outcome.ok()) return outcome.status();
            result.deleted += outcome->deleted;
            result.bytes_freed += outcome->bytes;
            result.changed += outcome->changed;
            for (auto& r : outcome->refused) result.refused.push_back(std::move(r));
            if (progress) progress(end, m_candidates.size());
        }
        return result;
    }

    Source& m_source;
    std::vector<EntrySummary> m_candidates;
    PlanPreview m_preview;
};

}  // namespace

Result<std::unique_ptr<Plan>> Source::plan(const PlanRequest& asked) {
    if (!asked.type.empty() && info().kind != SourceKind::kRedis) {
        return Status::invalidArgument("only Redis keys have a type to select by");
    }
    // Type names are lower case ("hash"), as the listing's filter takes them in any case.
    PlanRequest request = asked;
    std::transform(request.type.begin(), request.type.end(), request.type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto made = makePlan(request);
    if (made.ok() && !m_auditLog.empty()) {
        (*made)->m_audit = detail::makePlanAudit(m_auditLog, info(), request, (*made)->preview());
    }
    return made;
}

Result<std::unique_ptr<Plan>> Source::makePlan(const PlanRequest& request) {
    using A = PlanRequest::Action;
    std::vector<EntrySummary> chosen;
    if (request.action == A::kDeleteEntries) {
        for (const auto& id : request.entry_ids) {
            auto d = detail(id);
            if (!d.ok()) return d.status().withContext("entry " + id);
            chosen.push_back(std::move(d->summary));
        }
        return std::unique_ptr<Plan>(new CandidatePlan(*this, std::move(chosen)));
    }
    if (request.action == A::kSetTtl) {
        // Sources that change expiries in bulk (Redis) override makePlan(); those that can
        // change one entry's edit each; the others say why not.
        if (Status why = supports(request.action); !why.ok()) return why;
        return detail::makeTtlEditPlan(*this, request);
    }
    if (request.action == A::kMatchGlob && request.glob.empty()) {
        return Status::invalidArgument("a key glob is required");
    }

    const std::int64_t now = nowMs();
    std::vector<EntrySummary> all;  // only kept for the prune actions, which need an order
    std::string cursor;
    EntryFilter filter;
    if (request.action == A::kMatchGlob) filter.glob = request.glob;
    do {
        auto page = entries(cursor, kScanPage, filter);
        if (!page.ok()) return page.status();
        if (page->cursor == cursor && page->entries.empty()) break;  // no progress
        cursor = std::move(page->cursor);
        for (auto& e : page->entries) {
            bool take = false;
            switch (request.action) {
                case A::kClearAll:
                case A::kMatchGlob:
                    take = true;
                    break;
                case A::kClearExpired:
                    take = e.expires_ms && *e.expires_ms <= now;
                    break;
                case A::kOlderThan:
                    take = e.stored_ms && *e.stored_ms < now - request.age.count();
                    break;
                case A::kPruneToBytes:
                case A::kPruneToEntries:
                    all.push_back(std::move(e));
                    break;
                case A::kDeleteEntries:
                case A::kSetTtl:
                    break;
            }
            if (take) chosen.push_back(std::move(e));
        }
    } while (!cursor.empty());

    if (request.action == A::kPruneToBytes || request.action == A::kPruneToEntries) {
        // Oldest stored first (entries without a time go first: nothing says they are fresh).
        std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
            return a.stored_ms.value_or(0) < b.stored_ms.value_or(0);
        });
        if (request.prune_order == PlanRequest::PruneOrder::kValue) {
            if (Status s = detail::sortByValueDensity(all, info()); !s.ok()) return s;
        }
        std::uint64_t remainingBytes = 0;
        for (const auto& e : all) remainingBytes += e.size;
        std::uint64_t remainingCount = all.size();
        for (auto& e : all) {
            const bool over = request.action == A::kPruneToBytes ? remainingBytes > request.limit
                                                                 : remainingCount > request.limit;
            if (!over) break;
            remainingBytes -= e.size;
            --remainingCount;
            chosen.push_back(std::move(e));
        }
    }
    return std::unique_ptr<Plan>(new CandidatePlan(*this, std::move(chosen)));
}

}  // namespace twat_cache
