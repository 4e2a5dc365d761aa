// SearchBar: the line above the entries that says how a search goes, with a Stop button.
//
// While a filtered scan runs (or any scan that takes more than one request), it reads
// "Searching… scanned 120,000 of ~300,000 entries, 2 matches so far" with a Stop button;
// stopped, "Search stopped: …" with Continue; when the scan ends, "5 matches (complete)".
// Redis sources say "keys" instead of "entries". It is hidden for an unfiltered listing
// that loads in one go, and after an error (the window shows the error itself).
//
// For Redis sources it also holds the Type filter (All types, string, hash, list, set, zset,
// stream: EntriesModel::setTypeFilter), and then stays visible. When the filter costs a full
// scan with a TYPE per key (a server without SCAN … TYPE), the text says so (scanNote()).
//
// Thread safety: GUI thread only.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace twat_cache::ui {

class EntriesModel;

class SearchBar : public QWidget {
    Q_OBJECT

  public:
    // Follows `model` (which must outlive the bar or be destroyed with it).
    explicit SearchBar(EntriesModel* model, QWidget* parent = nullptr);

    QString text() const;
    // The Type filter (objectName "typeFilter"); shown for Redis sources only.
    QComboBox* typeFilter() const { return m_type; }
    // The status bar's summary of `model`: "1,234 entries loaded (searching…), filtered".
    static QString loadedText(const EntriesModel& model);

  private:
    void refresh();

    EntriesModel* m_model;
    QComboBox* m_type;
    QLabel* m_label;
    QPushButton* m_button;
};

}  // namespace twat_cache::ui
