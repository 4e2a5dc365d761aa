// The default executor of acache: a fixed pool of worker threads.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "twat_cache/acache.h"

namespace twat_cache {
namespace {

class ThreadPool {
  public:
    explicit ThreadPool(unsigned threads) {
        for (unsigned i = 0; i < threads; ++i) {
            std::thread([this] { work(); }).detach();
        }
    }
    void post(std::function<void()> task) {
        {
            std::lock_guard lock(m_mutex);
            m_tasks.push_back(std::move(task));
        }
        m_ready.notify_one();
    }

  private:
    void work() {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock lock(m_mutex);
                m_ready.wait(lock, [this] { return !m_tasks.empty(); });
                task = std::move(m_tasks.front());
                m_tasks.pop_front();
            }
            task();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::function<void()>> m_tasks;  // guarded by m_mutex
};

}  // namespace

Executor defaultExecutor() {
    // Never destroyed: workers are detached and may still run tasks while statics are torn
    // down at exit.
    static ThreadPool* pool = new ThreadPool(std::max(2u, std::thread::hardware_concurrency()));
    return [](std::function<void()> task) { pool->post(std::move(task)); };
}

}  // namespace twat_cache
