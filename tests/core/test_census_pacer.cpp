// The census's pacing arithmetic (core/src/inspect/census_pacer.h): the idle round trip, the
// page sizes and the rests, fed with page times as a server would give them.
#include <QtTest>

#include "inspect/census_pacer.h"

using twat_cache::detail::CensusPacer;
using Micros = std::chrono::microseconds;

class TestCensusPacer : public QObject {
    Q_OBJECT

  private slots:
    // The first page also pays for the connection: were it taken as the idle round trip,
    // every later page's work would look ~1 ms lighter and the census would hardly rest.
    void idleRoundTripIsTheQuickestProbeNotTheFirst() {
        CensusPacer pacer(Micros{2000}, 1000);
        QCOMPARE(pacer.limit(), std::size_t{1});
        QCOMPARE(pacer.pageDone(1, Micros{1086}).count(), 0);
        QCOMPARE(pacer.limit(), std::size_t{1});
        QCOMPARE(pacer.pageDone(1, Micros{234}).count(), 0);
        QCOMPARE(pacer.pageDone(1, Micros{223}).count(), 0);
        QCOMPARE(pacer.idle().count(), 223);
        QCOMPARE(pacer.limit(), std::size_t{100});
        // A page of 100 that took 1.223 ms did 1 ms of work: the census rests 1 ms.
        QCOMPARE(pacer.pageDone(100, Micros{1223}).count(), 1000);
        QCOMPARE(pacer.lastWork().count(), 1000);
    }

    void pagesHalveOverBudgetGrowWellWithinAndHoldBetween() {
        CensusPacer pacer(Micros{2000}, 1000);
        for (int i = 0; i < CensusPacer::kProbes; ++i) pacer.pageDone(1, Micros{200});
        pacer.pageDone(100, Micros{700});  // work 500 < 1000: grows by half
        QCOMPARE(pacer.limit(), std::size_t{150});
        pacer.pageDone(150, Micros{1700});  // work 1500: within, not well within: holds
        QCOMPARE(pacer.limit(), std::size_t{150});
        QCOMPARE(pacer.pageDone(150, Micros{3200}).count(), 3000);  // over: halves, rests 3 ms
        QCOMPARE(pacer.limit(), std::size_t{75});
    }

    void pagesStayBetweenOneAndTheMaximum() {
        CensusPacer pacer(Micros{2000}, 120);
        for (int i = 0; i < CensusPacer::kProbes; ++i) pacer.pageDone(1, Micros{200});
        QCOMPARE(pacer.limit(), std::size_t{100});
        pacer.pageDone(100, Micros{200});
        QCOMPARE(pacer.limit(), std::size_t{120});
        for (int i = 0; i < 20; ++i) pacer.pageDone(pacer.limit(), Micros{50'000});
        QCOMPARE(pacer.limit(), std::size_t{1});
        // A page quicker than the idle round trip did no measurable work.
        QCOMPARE(pacer.pageDone(1, Micros{100}).count(), 0);
    }

    void noBudgetMeansFullPagesAndNoRest() {
        CensusPacer pacer(Micros{0}, 5000);
        QCOMPARE(pacer.limit(), std::size_t{5000});
        QCOMPARE(pacer.pageDone(5000, Micros{40'000}).count(), 0);
        QCOMPARE(pacer.limit(), std::size_t{5000});
    }
};

QTEST_GUILESS_MAIN(TestCensusPacer)
#include "test_census_pacer.moc"
