// SourceDiscovery: finds the caches under a root (the core's Discovery) on a pool thread, so
// the window never waits on the disk. Asked again while one runs, it runs the newest request
// next and reports only that one. With `demoWhenEmpty`, discovering the default root first
// writes the demo cache there (demo_cache.h) when the root is missing or empty.
//
// Thread safety: GUI thread only (the scan itself runs on a pool thread).
#pragma once

#include <QFutureWatcher>
#include <QList>
#include <QObject>
#include <optional>

#include "workers/source_types.h"

namespace twat_cache::ui {

class SourceDiscovery : public QObject {
    Q_OBJECT

  public:
    struct Outcome {
        QString root;
        QList<SourceRef> sources;
        QString error;           // empty when the scan worked
        bool wroteDemo = false;  // the demo cache was written under `root`
    };

    explicit SourceDiscovery(bool demoWhenEmpty, QObject* parent = nullptr);
    ~SourceDiscovery() override;

    // Discovers the caches under `root` (empty: the core's cache root).
    void discover(const QString& root = {});

  signals:
    void discovered(const twat_cache::ui::SourceDiscovery::Outcome& outcome);

  private:
    void onFinished();

    bool m_demoWhenEmpty;
    QFutureWatcher<Outcome> m_watcher;
    std::optional<QString> m_next;  // asked for while a discovery was running
};

}  // namespace twat_cache::ui
