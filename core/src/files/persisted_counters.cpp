// PersistedCounters (see persisted_counters.h).
#include "files/persisted_counters.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "files/files_io.h"
#include "util/log_internal.h"

namespace twat_cache::detail {
namespace {

constexpr std::string_view kStatsName = "stats.json";

std::uint64_t field(const nlohmann::json& doc, const char* name) {
    const auto it = doc.find(name);
    return it != doc.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

// Holds an exclusive flock on a lock file for its lifetime.
class FileLock {
  public:
    explicit FileLock(const std::string& path, mode_t mode)
        : m_fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode)) {
        if (m_fd < 0) {
            m_status = statusFromErrno(errno, "cannot open lock file", path);
            return;
        }
        while (::flock(m_fd, LOCK_EX) != 0) {
            if (errno != EINTR) {
                m_status = statusFromErrno(errno, "cannot lock", path);
                return;
            }
        }
    }
    ~FileLock() {
        if (m_fd >= 0) ::close(m_fd);  // closing releases the lock
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    const Status& status() const { return m_status; }

  private:
    int m_fd;
    Status m_status;
};

}  // namespace

PersistedCounters::PersistedCounters(std::string folder, mode_t fileMode)
    : m_path(folder + "/" + std::string(kStatsName)),
      m_lockPath(folder + "/stats.lock"),
      m_folder(std::move(folder)),
      m_fileMode(fileMode) {}

PersistedCounters::~PersistedCounters() {
    if (Status s = flush(); !s.ok()) {
        logger().warn("files cache: could not save statistics: {}", s.toString());
    }
}

void PersistedCounters::bump(std::atomic<std::uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
    maybeFlush();
}

void PersistedCounters::maybeFlush() {
    if (!m_schedule.note()) return;
    if (Status s = flush(); !s.ok()) {
        logger().warn("files cache: could not save statistics: {}", s.toString());
    }
}

Stats PersistedCounters::readFileLocked() {
    Stats s;
    auto text = readFile(m_path, 1 << 20);
    if (!text.ok()) return s;
    const nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return s;
    s.hits = field(doc, "hits");
    s.misses = field(doc, "misses");
    s.evictions = field(doc, "evictions");
    s.expirations = field(doc, "expirations");
    s.errors = field(doc, "errors");
    s.compute_ns = field(doc, "compute_ns");
    s.saved_ns = field(doc, "saved_ns");
    return s;
}

Status PersistedCounters::mergeLocked(const Stats& delta, bool reset) {
    FileLock lock(m_lockPath, m_fileMode);
    if (!lock.status().ok()) return lock.status();
    Stats total = reset ? Stats{} : readFileLocked();
    total.hits += delta.hits;
    total.misses += delta.misses;
    total.evictions += delta.evictions;
    total.expirations += delta.expirations;
    total.errors += delta.errors;
    total.compute_ns += delta.compute_ns;
    total.saved_ns += delta.saved_ns;
    const nlohmann::json doc = {{"hits", total.hits},           {"misses", total.misses},
                                {"evictions", total.evictions}, {"expirations", total.expirations},
                                {"errors", total.errors},       {"compute_ns", total.compute_ns},
                                {"saved_ns", total.saved_ns}};
    return writeFileAtomic(m_path, tempPathFor(m_folder, kStatsName), doc.dump() + "\n",
                           m_fileMode);
}

Status PersistedCounters::flush() {
    std::lock_guard lock(m_mutex);
    m_schedule.restart();
    Stats delta;
    delta.hits = m_hits.exchange(0);
    delta.misses = m_misses.exchange(0);
    delta.evictions = m_evictions.exchange(0);
    delta.expirations = m_expirations.exchange(0);
    delta.errors = m_errors.exchange(0);
    delta.compute_ns = m_computeNs.exchange(0);
    delta.saved_ns = m_savedNs.exchange(0);
    if (delta == Stats{}) return {};
    Status s = mergeLocked(delta, /*reset=*/false);
    if (!s.ok()) {
        // Keep the counts for the next attempt rather than losing them.
        m_hits += delta.hits;
        m_misses += delta.misses;
        m_evictions += delta.evictions;
        m_expirations += delta.expirations;
        m_errors += delta.errors;
        m_computeNs += delta.compute_ns;
        m_savedNs += delta.saved_ns;
    }
    return s;
}

Stats PersistedCounters::read() {
    std::lock_guard lock(m_mutex);
    // Writers replace stats.json by rename, so reading needs no file lock.
    Stats s = readFileLocked();
    s.hits += m_hits.load();
    s.misses += m_misses.load();
    s.evictions += m_evictions.load();
    s.expirations += m_expirations.load();
    s.errors += m_errors.load();
    s.compute_ns += m_computeNs.load();
    s.saved_ns += m_savedNs.load();
    return s;
}

Status PersistedCounters::reset() {
    std::lock_guard lock(m_mutex);
    m_hits = 0;
    m_misses = 0;
    m_evictions = 0;
    m_expirations = 0;
    m_errors = 0;
    m_computeNs = 0;
    m_savedNs = 0;
    return mergeLocked(Stats{}, /*reset=*/true);
}

}  // namespace twat_cache::detail
