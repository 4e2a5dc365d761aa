// The non-executing pickle reader: interprets data opcodes into a tree, never imports or
// calls anything, and renders the tree like Python's repr().
#include "inspect/pickle_reader.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace twat_cache::detail {
namespace {

struct Node;
// Nodes live in the Reader's arena and point at each other with raw pointers: destroying a
// tree then never recurses, however deep the untrusted input nested it, and memo cycles do
// not leak.
using NodePtr = Node*;

struct Node {
    enum class Kind {
        kNone,
        kBool,
        kInt,
        kFloat,
        kStr,
        kBytes,
        kTuple,
        kList,
        kDict,
        kSet,
        kFrozenSet,
        kGlobal,
        kOpaque
    };
    Kind kind = Kind::kNone;
    bool flag = false;
    double number = 0.0;
    std::string text;            // int decimal, str UTF-8, bytes, global name, opaque text
    std::vector<NodePtr> items;  // containers; dict alternates key, value
};

// Little-endian two's complement integer of any length, in decimal.
std::string longToDecimal(std::string_view le) {
    if (le.empty()) return "0";
    std::vector<std::uint8_t> mag(le.rbegin(), le.rend());  // big-endian
    const bool negative = (mag.front() & 0x80U) != 0;
    if (negative) {  // magnitude = ~x + 1
        for (auto& b : mag) b = static_cast<std::uint8_t>(~b);
        for (auto it = mag.rbegin(); it != mag.rend(); ++it) {
            if (++*it != 0) break;
        }
    }
    std::string digits;
    bool zero = false;
    while (!zero) {
        unsigned rem = 0;
        zero = true;
        for (auto& b : mag) {
            const unsigned cur = rem * 256U + b;
            b = static_cast<std::uint8_t>(cur / 10U);
            rem = cur % 10U;
            if (b != 0) zero = false;
        }
        digits.push_back(static_cast<char>('0' + rem));
    }
    if (negative) digits.push_back('-');
    return {digits.rbegin(), digits.rend()};
}

std::string floatRepr(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    std::string s(buf, res.ptr);
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

// Decodes pickle's raw-unicode-escape (protocol 0 UNICODE): \uXXXX, \UXXXXXXXX, latin-1.
std::string rawUnicodeEscapeToUtf8(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\\' && i + 1 < s.size() && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
            const std::size_t n = s[i + 1] == 'u' ? 4 : 8;
            if (i + 2 + n <= s.size()) {
                std::uint32_t cp = 0;
                auto res = std::from_chars(s.data() + i + 2, s.data() + i + 2 + n, cp, 16);
                if (res.ec == std::errc() && res.ptr == s.data() + i + 2 + n && cp <= 0x10FFFF) {
                    appendCodepointUtf8(out, cp);
                    i += 1 + n;
                    continue;
                }
            }
        }
        appendCodepointUtf8(out, c);
    }
    return out;
}

class Reader {
  public:
    Reader(std::string_view data, const PickleRenderOptions& options)
        : m_data(data), m_options(options) {}

    Result<NodePtr> run() {
        std::size_t ops = 0;
        while (true) {
            if (++ops > m_options.max_ops) return fail("too many opcodes");
            if (m_pos >= m_data.size()) return fail("truncated (no STOP opcode)");
            const auto op = static_cast<unsigned char>(m_data[m_pos++]);
            if (op == '.') {
                if (m_stack.empty()) return fail("STOP with an empty stack");
                return m_stack.back();
            }
            Status s = step(op);
            if (!s.ok()) return s;
        }
    }

  private:
    Status fail(std::string_view what) const {
        return Status::corruption("pickle: " + std::string(what) + " at byte " +
                                  std::to_string(m_pos));
    }

    bool take(std::size_t n, std::string_view& out) {
        if (n > m_data.size() - m_pos) return false;
        out = m_data.substr(m_pos, n);
        m_pos += n;
        return true;
    }
    bool takeUint(std::size_t n, std::uint64_t& v) {
        std::string_view b;
        if (!take(n, b)) return false;
        v = 0;
        for (std::size_t i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[i]);
        return true;
    }
    bool takeLine(std::string_view& out) {
        const auto nl = m_data.find('\n', m_pos);
        if (nl == std::string_view::npos) return false;
        out = m_data.substr(m_pos, nl - m_pos);
        m_pos = nl + 1;
        return true;
    }

    NodePtr make(Node::Kind kind, std::string text = {}) {
        Node& n = m_arena.emplace_back();
        n.kind = kind;
        n.text = std::move(text);
        return &n;
    }

    void push(NodePtr n) { m_stack.push_back(std::move(n)); }
    bool pop(NodePtr& out) {
        if (m_stack.size() <= floor()) return false;
        out = std::move(m_stack.back());
        m_stack.pop_back();
        return true;
    }
    std::size_t floor() const { return m_marks.empty() ? 0 : m_marks.back(); }
    // The items since the last MARK, removed from the stack.
    bool popMark(std::vector<NodePtr>& items) {
        if (m_marks.empty()) return false;
        const std::size_t at = m_marks.back();
        m_marks.pop_back();
        items.assign(m_stack.begin() + static_cast<std::ptrdiff_t>(at), m_stack.end());
        m_stack.resize(at);
        return true;
    }
    NodePtr* top() { return m_stack.size() > floor() ? &m_stack.back() : nullptr; }

    NodePtr object(const NodePtr& cls, std::string_view via) {
        std::string name = cls && cls->kind == Node::Kind::kGlobal ? cls->text : "?";
        return make(Node::Kind::kOpaque, "<object " + name + " via " + std::string(via) + ">");
    }

    Status pushSized(std::size_t lenBytes, Node::Kind kind) {
        std::uint64_t n = 0;
        std::string_view b;
        if (!takeUint(lenBytes, n) || n > m_data.size() - m_pos ||
            !take(static_cast<std::size_t>(n), b)) {
            return fail("truncated string");
        }
        push(make(kind, std::string(b)));
        return {};
    }

    Status pushLong(std::size_t lenBytes) {
        std::uint64_t n = 0;
        std::string_view b;
        if (!takeUint(lenBytes, n) || n > m_data.size() - m_pos ||
            !take(static_cast<std::size_t>(n), b)) {
            return fail("truncated long");
        }
        push(make(Node::Kind::kInt,
                  n > 4096 ? "<int of " + std::to_string(n) + " bytes>" : longToDecimal(b)));
        return {};
    }

    Status memoPut(std::uint64_t index) {
        if (m_stack.empty()) return fail("memo put with an empty stack");
        m_memo[index] = m_stack.back();
        return {};
    }
    Status memoGet(std::uint64_t index) {
        auto it = m_memo.find(index);
        if (it == m_memo.end()) return fail("memo get of unknown index");
        push(it->second);
        return {};
    }

    Status step(unsigned char op);

    std::string_view m_data;
    const PickleRenderOptions& m_options;
    std::deque<Node> m_arena;  // owns every node; addresses are stable
    std::size_t m_pos = 0;
    std::vector<NodePtr> m_stack;
    std::vector<std::size_t> m_marks;
    std::unordered_map<std::uint64_t, NodePtr> m_memo;
};

Status Reader::step(unsigned char op) {
    using K = Node::Kind;
    std::string_view line;
    std::uint64_t u = 0;
    NodePtr a = nullptr, b = nullptr, c = nullptr;
    std::vector<NodePtr> items;
    switch (op) {
        case 0x80:  // PROTO
            if (!takeUint(1, u) || u > 5) return fail("unsupported protocol");
            return {};
        case 0x95:  // FRAME: frames are transparent
            if (!takeUint(8, u)) return fail("truncated frame");
            return {};
        case '(':
            m_marks.push_back(m_stack.size());
            return {};
        case '0':
            if (!pop(a)) return fail("POP on empty stack");
            return {};
        case '1':
            if (!popMark(items)) return fail("POP_MARK without MARK");
            return {};
        case '2':
            if (!top()) return fail("DUP on empty stack");
            push(*top());
            return {};
        case 'N':
            push(make(K::kNone));
            return {};
        case 0x88:
        case 0x89: {
            auto n = make(K::kBool);
            n->flag = op == 0x88;
            push(n);
            return {};
        }
        case 'I': {
            if (!takeLine(line)) return fail("truncated INT");
            if (line == "01" || line == "00") {
                auto n = make(K::kBool);
                n->flag = line == "01";
                push(n);
            } else {
                push(make(K::kInt, std::string(line)));
            }
            return {};
        }
        case 'L':
            if (!takeLine(line)) return fail("truncated LONG");
            if (!line.empty() && line.back() == 'L') line.remove_suffix(1);
            push(make(K::kInt, std::string(line)));
            return {};
        case 'J': {
            if (!takeUint(4, u)) return fail("truncated BININT");
            push(make(K::kInt,
                      std::to_string(static_cast<std::int32_t>(static_cast<std::uint32_t>(u)))));
            return {};
        }
        case 'K':
        case 'M':
            if (!takeUint(op == 'K' ? 1 : 2, u)) return fail("truncated BININT");
            push(make(K::kInt, std::to_string(u)));
            return {};
        case 0x8a:
            return pushLong(1);
        case 0x8b:
            return pushLong(4);
        case 'F': {
            if (!takeLine(line)) return fail("truncated FLOAT");
            auto n = make(K::kFloat);
            n->number = std::strtod(std::string(line).c_str(), nullptr);
            push(n);
            return {};
        }
        case 'G': {
            if (!takeUint(8, u)) return fail("truncated BINFLOAT");
            // Stored big-endian; takeUint read little-endian, so swap back.
            u = __builtin_bswap64(u);
            auto n = make(K::kFloat);
            std::memcpy(&n->number, &u, sizeof(double));
            push(n);
            return {};
        }
        case 'S':
            if (!takeLine(line)) return fail("truncated STRING");
            push(make(K::kOpaque, std::string(line)));
            return {};
        case 'V':
            if (!takeLine(line)) return fail("truncated UNICODE");
            push(make(K::kStr, rawUnicodeEscapeToUtf8(line)));
            return {};
        case 'T':
            return pushSized(4, K::kBytes);
        case 'U':
            return pushSized(1, K::kBytes);
        case 'X':
            return pushSized(4, K::kStr);
        case 0x8c:
            return pushSized(1, K::kStr);
        case 0x8d:
            return pushSized(8, K::kStr);
        case 'B':
            return pushSized(4, K::kBytes);
        case 'C':
            return pushSized(1, K::kBytes);
        case 0x8e:
            return pushSized(8, K::kBytes);
        case 0x96: {
            Status s = pushSized(8, K::kBytes);
            if (s.ok())
                m_stack.back() =
                    make(K::kOpaque, "bytearray(" + quotedRepr(m_stack.back()->text, true) + ")");
            return s;
        }
        case ']':
            push(make(K::kList));
            return {};
        case ')':
            push(make(K::kTuple));
            return {};
        case '}':
            push(make(K::kDict));
            return {};
        case 0x8f:
            push(make(K::kSet));
            return {};
        case 'l':
        case 't':
        case 'd':
        case 0x91: {
            if (!popMark(items)) return fail("container without MARK");
            auto n = make(op == 'l'   ? K::kList
                          : op == 't' ? K::kTuple
                          : op == 'd' ? K::kDict
                                      : K::kFrozenSet);
            if (op == 'd' && items.size() % 2 != 0) return fail("DICT with odd items");
            n->items = std::move(items);
            push(n);
            return {};
        }
        case 0x85:
        case 0x86:
        case 0x87: {
            const std::size_t n = op - 0x84U;
            if (m_stack.size() < floor() + n) return fail("TUPLE with too few items");
            auto t = make(K::kTuple);
            t->items.assign(m_stack.end() - static_cast<std::ptrdiff_t>(n), m_stack.end());
            m_stack.resize(m_stack.size() - n);
            push(t);
            return {};
        }
        case 'a':
            if (!pop(a) || !top()) return fail("APPEND on empty stack");
            (*top())->items.push_back(a);
            return {};
        case 'e':
        case 0x90:
            if (!popMark(items) || !top()) return fail("APPENDS without MARK or list");
            for (auto& it : items) (*top())->items.push_back(it);
            return {};
        case 's':
            if (!pop(b) || !pop(a) || !top()) return fail("SETITEM on short stack");
            (*top())->items.push_back(a);
            (*top())->items.push_back(b);
            return {};
        case 'u':
            if (!popMark(items) || !top() || items.size() % 2 != 0) {
                return fail("SETITEMS without MARK or dict");
            }
            for (auto& it : items) (*top())->items.push_back(it);
            return {};
        case 'p':
            if (!takeLine(line)) return fail("truncated PUT");
            return memoPut(std::strtoull(std::string(line).c_str(), nullptr, 10));
        case 'q':
        case 'r':
            if (!takeUint(op == 'q' ? 1 : 4, u)) return fail("truncated PUT");
            return memoPut(u);
        case 0x94:
            return memoPut(m_memo.size());
        case 'g':
            if (!takeLine(line)) return fail("truncated GET");
            return memoGet(std::strtoull(std::string(line).c_str(), nullptr, 10));
        case 'h':
        case 'j':
            if (!takeUint(op == 'h' ? 1 : 4, u)) return fail("truncated GET");
            return memoGet(u);
        case 'c': {
            std::string_view mod, name;
            if (!takeLine(mod) || !takeLine(name)) return fail("truncated GLOBAL");
            push(make(K::kGlobal, sanitizeUtf8(mod) + "." + sanitizeUtf8(name)));
            return {};
        }
        case 0x93:
            if (!pop(b) || !pop(a)) return fail("STACK_GLOBAL on short stack");
            push(make(K::kGlobal, sanitizeUtf8(a->text) + "." + sanitizeUtf8(b->text)));
            return {};
        case 'R':
            if (!pop(b) || !pop(a)) return fail("REDUCE on short stack");
            push(object(a, "REDUCE"));
            return {};
        case 'b':
            if (!pop(b) || !top()) return fail("BUILD on short stack");
            return {};  // the object stays what it was: its state is not applied
        case 0x81:
            if (!pop(b) || !pop(a)) return fail("NEWOBJ on short stack");
            push(object(a, "NEWOBJ"));
            return {};
        case 0x92:
            if (!pop(c) || !pop(b) || !pop(a)) return fail("NEWOBJ_EX on short stack");
            push(object(a, "NEWOBJ_EX"));
            return {};
        case 'i': {
            std::string_view mod, name;
            if (!takeLine(mod) || !takeLine(name) || !popMark(items)) return fail("bad INST");
            push(object(make(K::kGlobal, sanitizeUtf8(mod) + "." + sanitizeUtf8(name)), "INST"));
            return {};
        }
        case 'o':
            if (!popMark(items) || items.empty()) return fail("bad OBJ");
            push(object(items.front(), "OBJ"));
            return {};
        case 0x82:
        case 0x83:
        case 0x84:
            if (!takeUint(op == 0x82 ? 1 : op == 0x83 ? 2 : 4, u)) return fail("truncated EXT");
            push(make(K::kOpaque, "<extension " + std::to_string(u) + ">"));
            return {};
        case 'P':
            if (!takeLine(line)) return fail("truncated PERSID");
            push(make(K::kOpaque, "<persistent id>"));
            return {};
        case 'Q':
            if (!pop(a)) return fail("BINPERSID on empty stack");
            push(make(K::kOpaque, "<persistent id>"));
            return {};
        case 0x97:
            push(make(K::kOpaque, "<out-of-band buffer>"));
            return {};
        case 0x98:
            return {};  // READONLY_BUFFER
        default: {
            std::string msg = "unknown opcode ";
            appendHexEscape(msg, op);
            return fail(msg);
        }
    }
}

class Renderer {
  public:
    explicit Renderer(const PickleRenderOptions& options) : m_options(options) {}

    void render(const NodePtr& n, std::size_t depth) {
        if (full()) return;
        using K = Node::Kind;
        switch (n->kind) {
            case K::kNone:
                m_out += "None";
                return;
            case K::kBool:
                m_out += n->flag ? "True" : "False";
                return;
            case K::kInt:
            case K::kOpaque:
                m_out += n->text;
                return;
            case K::kFloat:
                m_out += floatRepr(n->number);
                return;
            case K::kStr:
            case K::kBytes:
                m_out += quotedRepr(n->text, n->kind == K::kBytes, room());
                return;
            case K::kGlobal:
                m_out += "<global " + n->text + ">";
                return;
            default:
                break;
        }
        const char* open = n->kind == K::kList ? "[" : n->kind == K::kTuple ? "(" : "{";
        const char* close = n->kind == K::kList ? "]" : n->kind == K::kTuple ? ")" : "}";
        if (m_onPath.count(n) != 0 || depth >= m_options.max_depth) {
            m_out += open;
            m_out += "...";
            m_out += close;
            return;
        }
        if (n->items.empty()) {
            m_out += n->kind == K::kSet         ? "set()"
                     : n->kind == K::kFrozenSet ? "frozenset()"
                                                : std::string(open) + close;
            return;
        }
        m_onPath.insert(n);
        if (n->kind == K::kFrozenSet) m_out += "frozenset(";
        m_out += open;
        const bool isDict = n->kind == K::kDict;
        for (std::size_t i = 0; i < n->items.size() && !full(); ++i) {
            if (i > 0) m_out += (isDict && i % 2 == 1) ? ": " : ", ";
            render(n->items[i], depth + 1);
        }
        if (n->kind == K::kTuple && n->items.size() == 1) m_out += ",";
        m_out += close;
        if (n->kind == K::kFrozenSet) m_out += ")";
        m_onPath.erase(n);
    }

    std::string finish() {
        if (m_out.size() > m_options.max_output) {
            std::size_t cut = m_options.max_output;
            // Do not cut inside a UTF-8 sequence.
            while (cut > 0 && (static_cast<unsigned char>(m_out[cut]) & 0xC0) == 0x80) --cut;
            m_out.resize(cut);
            m_out += "...";
        }
        return std::move(m_out);
    }

  private:
    bool full() const { return m_out.size() > m_options.max_output; }
    // Output bytes left before full(): a long string renders only that much.
    std::size_t room() const { return m_options.max_output + 1 - m_out.size(); }

    const PickleRenderOptions& m_options;
    std::string m_out;
    std::unordered_set<const Node*> m_onPath;
};

}  // namespace

Result<std::string> renderPickle(std::string_view data, const PickleRenderOptions& options) {
    Reader reader(data, options);
    auto root = reader.run();
    if (!root.ok()) return root.status();
    Renderer renderer(options);
    renderer.render(*root, 0);
    return renderer.finish();
}

}  // namespace twat_cache::detail
