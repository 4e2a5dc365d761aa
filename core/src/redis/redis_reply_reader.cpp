#include "redis/redis_reply_reader.h"

#include <poll.h>

#include <cerrno>
#include <mutex>

namespace twat_cache::detail {
namespace {

// hiredis 0.14 keeps its reply constructors static: the first context's table is saved and
// wrapped, so every reply is still built (and freed) by hiredis itself.
const redisReplyObjectFunctions* g_hiredisFunctions = nullptr;
redisReplyObjectFunctions g_boundedFunctions{};
std::once_flag g_once;

thread_local std::size_t t_maxElements = ReplyLimits{}.max_elements;
thread_local long long t_refusedElements = -1;

void* createBoundedArray(const redisReadTask* task, int elements) {
    if (elements > 0 && static_cast<std::size_t>(elements) > t_maxElements) {
        t_refusedElements = elements;
        return nullptr;  // hiredis reports an error, having allocated nothing
    }
    return g_hiredisFunctions->createArray(task, elements);
}

using Clock = std::chrono::steady_clock;

int millisecondsLeft(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

// Waits until the socket is ready for `events` or the deadline passes; false on time-out.
bool waitFor(int fd, short events, Clock::time_point deadline) {
    while (true) {
        const int left = millisecondsLeft(deadline);
        if (left == 0) return false;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, left);
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) return true;  // let the read or write report the error
    }
}

}  // namespace

void boundReader(redisReader* reader, std::size_t maxElements) {
    std::call_once(g_once, [reader] {
        g_hiredisFunctions = reader->fn;
        g_boundedFunctions = *g_hiredisFunctions;
        g_boundedFunctions.createArray = createBoundedArray;
    });
    reader->fn = &g_boundedFunctions;
    t_maxElements = maxElements;
}

void boundReplyReader(redisContext* ctx) {
    boundReader(ctx->reader, ReplyLimits{}.max_elements);
}

ReadOutcome writePending(redisContext* ctx, Clock::time_point deadline, std::string& detail,
                         ReplyTransport* transport) {
    // Nothing buffered makes this a no-op without a system call: pipelined reads stay cheap.
    // A write blocks at most the socket's send timeout; the deadline is checked between them.
    int done = 0;
    while (true) {
        const int rc = transport ? transport->write(ctx, &done) : redisBufferWrite(ctx, &done);
        if (rc == REDIS_ERR) return ReadOutcome::kTransport;
        if (done) return ReadOutcome::kReply;
        if (millisecondsLeft(deadline) == 0) {
            detail = "the server is not reading what was sent";
            return ReadOutcome::kTimeout;
        }
    }
}

ReadOutcome readReply(redisContext* ctx, Clock::time_point deadline, const ReplyLimits& limits,
                      void** reply, std::string& detail, ReplyTransport* transport) {
    *reply = nullptr;
    t_maxElements = limits.max_elements;
    t_refusedElements = -1;
    if (const ReadOutcome sent = writePending(ctx, deadline, detail, transport);
        sent != ReadOutcome::kReply) {
        return sent;
    }
    std::size_t received = 0;
    while (true) {
        if (redisGetReplyFromReader(ctx, reply) == REDIS_ERR) {
            if (t_refusedElements >= 0) {
                detail = "the reply announced " + std::to_string(t_refusedElements) +
                         " elements, more than the limit of " + std::to_string(limits.max_elements);
                return ReadOutcome::kTooLarge;
            }
            return ReadOutcome::kTransport;
        }
        if (*reply != nullptr) return ReadOutcome::kReply;
        if (received > limits.max_bytes) {
            detail = "the reply passed " + std::to_string(limits.max_bytes >> 20) +
                     " MiB before it was complete";
            return ReadOutcome::kTooLarge;
        }
        // The first read blocks as hiredis's own does (the socket's receive timeout bounds
        // it), so a small reply costs no extra system call; later reads of the same reply
        // wait only for what is left of the deadline.
        const bool ready = transport != nullptr && transport->buffered();
        if (received > 0 && !ready && !waitFor(ctx->fd, POLLIN, deadline)) {
            detail = std::to_string(received) + " bytes of it arrived";
            return ReadOutcome::kTimeout;
        }
        const std::size_t before = ctx->reader->len;
        const int rc = transport ? transport->read(ctx) : redisBufferRead(ctx);
        if (rc == REDIS_ERR) return ReadOutcome::kTransport;
        const std::size_t after = ctx->reader->len;
        received += after >= before ? after - before : after;
    }
}

}  // namespace twat_cache::detail
