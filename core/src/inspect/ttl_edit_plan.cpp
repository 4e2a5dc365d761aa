// The TTL plan (PlanRequest::Action::kSetTtl) of sources that change expiries one entry at a
// time (our native caches): the named entries or the glob's, each changed by the source's
// applyEdit() with the fingerprint it was listed with, so an entry stored again since the
// preview is kept (counted in ExecuteResult::changed).
#include "inspect/ttl_edit_plan.h"

#include <string>
#include <vector>

namespace twat_cache::detail {

namespace {

constexpr std::size_t kListPage = 1000;
constexpr std::size_t kProgressEvery = 100;

}  // namespace

class TtlEditPlan final : public Plan {
  public:
    TtlEditPlan(Source& source, const PlanRequest& request, std::vector<EntrySummary> chosen)
        : m_source(source), m_ttl(request.ttl), m_chosen(std::move(chosen)) {
        m_preview.count = m_chosen.size();
        for (const auto& e : m_chosen) {
            m_preview.bytes += e.size;
            if (m_preview.sample.size() < PlanPreview::kSampleSize) m_preview.sample.push_back(e);
        }
    }

    const PlanPreview& preview() const override { return m_preview; }

  private:
    Result<ExecuteResult> run(const ProgressCallback& progress,
                              const std::atomic<bool>* cancel) override {
        if (Status s = m_source.refuseIfReadOnly(); !s.ok()) return s;
        ExecuteResult result;
        result.matched = m_chosen.size();
        EditRequest edit;
        edit.action = m_ttl ? EditAction::kSetTtl : EditAction::kPersist;
        edit.ttl = m_ttl.value_or(std::chrono::milliseconds(0));
        for (std::size_t i = 0; i < m_chosen.size(); ++i) {
            if (cancel && cancel->load(std::memory_order_acquire)) {
                result.cancelled = true;
                break;
            }
            edit.entry_id = m_chosen[i].id;
            edit.fingerprint = m_chosen[i].fingerprint;
            auto done = m_source.applyEdit(edit);
            if (done.ok()) {
                ++result.updated;
            } else if (done.status().code() == StatusCode::kBusy) {
                ++result.changed;  // stored again since the preview
            } else if (!done.status().isNotFound()) {
                return done.status();
            }
            if (progress && ((i + 1) % kProgressEvery == 0 || i + 1 == m_chosen.size())) {
                progress(i + 1, m_chosen.size());
            }
        }
        return result;
    }

    Source& m_source;
    std::optional<std::chrono::milliseconds> m_ttl;
    std::vector<EntrySummary> m_chosen;
    PlanPreview m_preview;
};

Result<std::unique_ptr<Plan>> makeTtlEditPlan(Source& source, const PlanRequest& request) {
    // A TTL of 0 or less would expire every chosen entry at once: a deletion, not a TTL.
    if (request.ttl && request.ttl->count() <= 0) {
        return Status::invalidArgument("a TTL must be more than 0 (remove it with persist)");
    }
    std::vector<EntrySummary> chosen;
    if (!request.entry_ids.empty()) {
        for (const auto& id : request.entry_ids) {
            auto d = source.detail(id);
            if (d.ok()) {
                chosen.push_back(std::move(d->summary));
            } else if (!d.status().isNotFound()) {
                return d.status().withContext("entry " + id);
            }
        }
    } else {
        if (request.glob.empty()) return Status::invalidArgument("a key glob is required");
        EntryFilter filter;
        filter.glob = request.glob;
        std::string cursor;
        do {
            auto page = source.entries(cursor, kListPage, filter);
            if (!page.ok()) return page.status();
            if (page->cursor == cursor && page->entries.empty()) break;  // no progress
            cursor = std::move(page->cursor);
            for (auto& e : page->entries) chosen.push_back(std::move(e));
        } while (!cursor.empty());
    }
    return std::unique_ptr<Plan>(new TtlEditPlan(source, request, std::move(chosen)));
}

}  // namespace twat_cache::detail
