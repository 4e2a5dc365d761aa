// Reading one reply from a hiredis connection within an overall deadline and size bounds.
//
// hiredis's own redisGetReply blocks per read(2) with the socket timeout, so a server that
// drips one byte a second keeps a command alive forever, and it allocates whatever a reply
// header announces (`*2147483647` asks for 16 GiB of element pointers). readReply() reads
// the first bytes of a reply as hiredis does (bounded by the socket's receive timeout, with
// no extra system call), then waits with poll(2) only for what is left before the deadline;
// it counts the bytes it takes in, and refuses an array header above the element limit
// before anything is allocated for it.
//
// Thread safety: one context per thread at a time, as hiredis requires. The element limit is
// recorded per thread.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstddef>
#include <string>

namespace twat_cache::detail {

struct ReplyLimits {
    // Elements one array reply may announce (each costs a pointer before it arrives).
    std::size_t max_elements = std::size_t{1} << 23;
    // Bytes taken in while waiting for one reply (Redis's own proto-max-bulk-len is 512 MB).
    std::size_t max_bytes = std::size_t{512} << 20;
};

enum class ReadOutcome {
    kReply,      // *reply holds the reply
    kTimeout,    // the deadline passed before a whole reply arrived
    kTooLarge,   // the reply passed a limit; `detail` says which
    kTransport,  // hiredis reported an error in ctx->err / ctx->errstr
};

// How the bytes of a context move, when not through hiredis's own write(2) / read(2) (TLS:
// redis_tls.h). Each function has the contract of the hiredis function it replaces.
class ReplyTransport {
  public:
    virtual ~ReplyTransport() = default;
    virtual int write(redisContext* ctx, int* done) = 0;  // as redisBufferWrite
    virtual int read(redisContext* ctx) = 0;              // as redisBufferRead
    // Whether bytes already arrived that read() can take without waiting on the socket.
    virtual bool buffered() const = 0;
};

// Makes ctx's reply reader refuse array headers above the element limit that readReply()
// is given. Call once per context, before the first command.
void boundReplyReader(redisContext* ctx);
// The same for a bare reader (fuzzing), with `maxElements` on this thread.
void boundReader(redisReader* reader, std::size_t maxElements);

// Sends what is buffered, before `deadline`: kReply when all of it went out, kTimeout (with
// `detail`) or kTransport otherwise.
ReadOutcome writePending(redisContext* ctx, std::chrono::steady_clock::time_point deadline,
                         std::string& detail, ReplyTransport* transport = nullptr);

// Sends what is buffered, then reads one reply, all before `deadline`, through `transport`
// (null: hiredis's own socket I/O). On kTooLarge or kTimeout the connection is out of step
// with the server and must not be used again.
ReadOutcome readReply(redisContext* ctx, std::chrono::steady_clock::time_point deadline,
                      const ReplyLimits& limits, void** reply, std::string& detail,
                      ReplyTransport* transport = nullptr);

}  // namespace twat_cache::detail
