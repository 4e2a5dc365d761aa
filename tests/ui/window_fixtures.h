// Fixtures for tests that drive the whole window: open a Redis source in it and select a key's
// row, loading pages until it shows.
#pragma once

#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <string>

#include "models/entries_model.h"
#include "views/main_window.h"

namespace twat_cache::test {

// Adds the Redis server at `url` to `window` as `name` and waits (at most 10 s) for its first
// page of entries; false when none came or the listing failed.
inline bool openRedisSource(ui::MainWindow& window, const std::string& url, const QString& name) {
    QSignalSpy loaded(window.entriesModel(), &ui::EntriesModel::pageLoaded);
    ui::SourceRef ref;
    ref.kind = ui::SourceKind::kRedis;
    ref.location = QString::fromStdString(url);
    ref.name = name;
    window.addSource(ref);
    return loaded.wait(10000) && window.entriesModel()->lastError().isEmpty();
}

// Selects the row of `key` alone, loading pages until it shows (at most 200 rounds); false
// when it never does.
inline bool selectKey(ui::MainWindow& window, const QString& key) {
    ui::EntriesModel* model = window.entriesModel();
    auto* view = window.findChild<QTableView*>(QStringLiteral("entriesView"));
    for (int attempt = 0; attempt < 200; ++attempt) {
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data().toString() == key) {
                view->selectionModel()->select(
                    model->index(row, 0),
                    QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                return true;
            }
        }
        if (model->canFetchMore({})) model->fetchMore({});
        QTest::qWait(20);
    }
    return false;
}

}  // namespace twat_cache::test
