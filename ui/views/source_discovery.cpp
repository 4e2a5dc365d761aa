#include "views/source_discovery.h"

#include <QtConcurrent>
#include <utility>

#include "demo_cache.h"
#include "workers/source_adapter.h"

namespace twat_cache::ui {

SourceDiscovery::SourceDiscovery(bool demoWhenEmpty, QObject* parent)
    : QObject(parent), m_demoWhenEmpty(demoWhenEmpty) {
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &SourceDiscovery::onFinished);
}

SourceDiscovery::~SourceDiscovery() {
    m_watcher.waitForFinished();  // its result has nowhere to go
}

void SourceDiscovery::discover(const QString& root) {
    if (m_watcher.isRunning()) {
        m_next = root;
        return;
    }
    const bool demo = m_demoWhenEmpty && root.isEmpty();
    m_watcher.setFuture(QtConcurrent::run([root, demo] {
        Outcome outcome;
        outcome.root = root.isEmpty() ? defaultCacheRoot() : root;
        if (demo) {
            auto wrote = ensureDemoCache(outcome.root);
            if (!wrote.ok()) {
                outcome.error = QString::fromStdString(wrote.status().toString());
                return outcome;
            }
            outcome.wroteDemo = *wrote;
        }
        auto found = discoverSources(outcome.root);
        if (found.ok()) {
            outcome.sources = *found;
        } else {
            outcome.error = QString::fromStdString(found.status().toString());
        }
        return outcome;
    }));
}

void SourceDiscovery::onFinished() {
    if (m_next) {
        // A newer request supersedes this result.
        discover(*std::exchange(m_next, std::nullopt));
        return;
    }
    emit discovered(m_watcher.result());
}

}  // namespace twat_cache::ui
