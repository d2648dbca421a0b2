#include "api/server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <ctime>
#include <optional>
#include <thread>
#include <vector>

#include "api/chunked_body.h"

namespace smsgw::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::seconds kDrainTimeout{2};

// The Date header (RFC 9110 6.6.1), formatted once per second per thread.
const char* HttpDate() {
  thread_local std::time_t formatted_at = 0;
  thread_local char buf[64] = "";
  const std::time_t now = std::time(nullptr);
  if (now != formatted_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);  // C locale: English names
    formatted_at = now;
  }
  return buf;
}

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::partial_message && ec != http::error::end_of_stream;
}

// The answer to a connection over max_connections, written without reading its request.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 149\r\n\r\n"
    "{\"code\":\"unavailable\",\"detail\":\"too many connections; retry later\",\"status\":503,"
    "\"title\":\"Service unavailable\",\"type\":\"urn:smsgw:problem:unavailable\"}";

class Session;

}  // namespace

// The server's shared state: options, handler, the sessions (for the connection limit and a
// graceful stop). Sessions reach it by reference; it outlives them (Stop joins the threads).
struct HttpServer::Impl {
  Impl(Options o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ioc(std::max(1, options.threads)),
        work(net::make_work_guard(ioc)) {}

  void Accept();

  // Declared before the io_context: sessions still held by its handlers when it is destroyed
  // reach these in their destructors.
  Options options;
  Handler handler;
  std::mutex mu;
  std::condition_variable idle_cv;                       // signalled when a counted session ends
  std::map<uint64_t, std::weak_ptr<Session>> sessions;  // guarded by mu: counted sessions
  uint64_t next_session = 0;                             // guarded by mu
  std::atomic<bool> draining{false};

  net::io_context ioc;
  // Keeps the threads running while no I/O is pending (a request being handled after the
  // listening socket closed) until Stop().
  net::executor_work_guard<net::io_context::executor_type> work;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  uint16_t port = 0;
};

namespace {

// One connection: wait for a request, read it, answer it, repeat while keep-alive holds.
// Everything runs on the connection's strand, so a session needs no locks of its own.
// Timeouts: idle_timeout while waiting for a request's first byte, read_timeout from there to
// its last (a client that trickles bytes is cut off), read_timeout again for writing the answer.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl& server) : stream_(std::move(socket)), server_(server) {}

  ~Session() {
    if (!counted_) return;
    std::lock_guard lock(server_.mu);
    server_.sessions.erase(id_);
    server_.idle_cv.notify_all();
  }

  // Starts serving; `counted`: registered in server.sessions (false for a refused connection).
  void Run(bool counted, uint64_t id) {
    counted_ = counted;
    id_ = id;
    if (!counted) {
      return net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Refuse(); });
    }
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::WaitForRequest, shared_from_this()));
  }

  net::any_io_executor get_executor() { return stream_.get_executor(); }

  // Called (on the strand) when the server starts draining: an idle connection is closed now,
  // a busy one after its answer.
  void Nudge() {
    if (state_ == State::kIdle) {
      beast::error_code ec;
      stream_.socket().cancel(ec);
    }
  }

 private:
  using Defect = HttpRequest::Defect;
  enum class State { kIdle, kReading, kHandling, kWriting, kClosed };

  void WaitForRequest() {
    if (server_.draining) return Close();
    state_ = State::kIdle;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(static_cast<uint64_t>(server_.options.max_body_bytes));
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    stream_.expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    state_ = State::kReading;
    stream_.expires_after(server_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec == http::error::header_limit) return Answer(Defect::kHeaderTooLarge);
    if (ec == http::error::body_limit) return Answer(Defect::kBodyTooLarge);
    if (ec) return IsHttpParseError(ec) ? Answer(Defect::kMalformed) : Close();
    const auto& msg = parser_->get();
    auto expect = msg.find(http::field::expect);
    if (expect != msg.end() && beast::iequals(expect->value(), "100-continue") && !parser_->is_done()) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, msg.version());
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, size_t) {
        if (wec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Answer(Defect::kNone);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) return Answer(Defect::kBodyTooLarge);
    if (ec) return IsHttpParseError(ec) ? Answer(Defect::kMalformed) : Close();
    Answer(Defect::kNone);
  }

  void Answer(Defect defect) {
    state_ = State::kHandling;
    stream_.expires_never();  // the handler bounds its own time (App's request deadline)
    auto& msg = parser_->get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    if (defect == Defect::kNone) req.body = std::move(msg.body());
    req.defect = defect;
    // After a defect the rest of the request is unread: the connection cannot carry another.
    keep_alive_ = defect == Defect::kNone && msg.keep_alive();
    version_ = msg.version() == 10 ? 10 : 11;
    defect_ = defect;
    // The answer may come from another thread: hop back onto this connection's strand.
    auto respond = [self = shared_from_this()](HttpResponse out) {
      net::post(self->stream_.get_executor(), [self, out = std::move(out)]() mutable { self->Write(std::move(out)); });
    };
    try {
      server_.handler(std::move(req), std::move(respond));
    } catch (...) {  // the App catches everything; this is for a handler that does not
      HttpResponse out;
      out.status = 500;
      out.body = "{\"status\":500,\"code\":\"internal\"}";
      out.headers = {{"Content-Type", "application/problem+json"}};
      Write(std::move(out));
    }
  }

  void Write(HttpResponse out) {
    state_ = State::kWriting;
    if (out.chunked) return WriteChunked(std::move(out));
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(out.status), version_);
    res->set(http::field::date, HttpDate());
    for (auto& h : out.headers) res->set(h.name, std::move(h.value));
    res->body() = std::move(out.body);
    res->keep_alive(keep_alive_ && !server_.draining);
    res->prepare_payload();
    stream_.expires_after(server_.options.read_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, defect = defect_](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      if (defect != Defect::kNone) return self->Drain();
      if (res->need_eof()) return self->Close();
      self->WaitForRequest();
    });
  }

  // A body that comes in pieces (ChunkedBody): the header, then each chunk as it is produced,
  // then the last chunk and the end of the connection.
  void WriteChunked(HttpResponse out) {
    auto res = std::make_shared<http::response<http::empty_body>>(static_cast<http::status>(out.status), version_);
    res->set(http::field::date, HttpDate());
    for (auto& h : out.headers) res->set(h.name, std::move(h.value));
    res->chunked(true);
    res->keep_alive(false);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    stream_.expires_after(server_.options.read_timeout);
    http::async_write_header(stream_, *sr, [self = shared_from_this(), res, sr, body = out.chunked](beast::error_code ec, size_t) {
      if (ec) {
        body->Cancel();
        return self->Close();
      }
      self->NextChunk(body);
    });
  }

  void NextChunk(const std::shared_ptr<ChunkedBody>& body) {
    auto chunk = std::make_shared<std::string>();
    auto wake = [self = shared_from_this(), body] {
      net::post(self->stream_.get_executor(), [self, body] { self->NextChunk(body); });
    };
    switch (body->Take(chunk.get(), std::move(wake))) {
      case ChunkedBody::Next::kWait:
        return;
      case ChunkedBody::Next::kChunk:
        stream_.expires_after(server_.options.read_timeout);
        net::async_write(stream_, http::make_chunk(net::buffer(*chunk)),
                         [self = shared_from_this(), chunk, body](beast::error_code ec, size_t) {
                           if (ec) {
                             body->Cancel();
                             return self->Close();
                           }
                           self->NextChunk(body);
                         });
        return;
      case ChunkedBody::Next::kEnd:
        net::async_write(stream_, http::make_chunk_last(),
                         [self = shared_from_this()](beast::error_code, size_t) { self->Close(); });
        return;
      case ChunkedBody::Next::kAbort:
        body->Cancel();
        return Close();
    }
  }

  void Refuse() {
    state_ = State::kWriting;
    stream_.expires_after(server_.options.read_timeout);
    net::async_write(stream_, net::buffer(kTooManyConnections.data(), kTooManyConnections.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Drain();
                     });
  }

  // Closes our side, then reads and drops what the client still sends (the rest of a too
  // large body) for a moment: closing a socket with unread data sends RST, which can destroy
  // the answer before the client reads it.
  void Drain() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    stream_.expires_after(kDrainTimeout);
    ReadAndDrop();
  }

  void ReadAndDrop() {
    stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->ReadAndDrop();
    });
  }

  void Close() {
    state_ = State::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::array<char, 4096> scratch_{};
  State state_ = State::kIdle;
  bool keep_alive_ = false;  // of the request being answered
  unsigned version_ = 11;
  Defect defect_ = Defect::kNone;
  bool counted_ = false;
  uint64_t id_ = 0;
};

}  // namespace

Result<ListenAddress> ParseListenAddress(const std::string& listen) {
  auto bad = [&] { return Status::InvalidArgument("listen address \"" + listen + "\": want host:port"); };
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return bad();
  ListenAddress out;
  out.host = listen.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  } else if (out.host.find(':') != std::string::npos) {
    return bad();  // a bare IPv6 address needs brackets
  }
  if (out.host.empty()) out.host = "0.0.0.0";
  const std::string port = listen.substr(colon + 1);
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value > 65535) return bad();
  out.port = static_cast<uint16_t>(value);
  return out;
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors and the like: wait a little instead of spinning.
      spdlog::warn("http accept: {}", ec.message());
      auto timer = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(100));
      timer->async_wait([this, timer](beast::error_code) { Accept(); });
      return;
    }
    auto session = std::make_shared<Session>(std::move(socket), *this);
    bool counted = false;
    uint64_t id = 0;
    {
      std::lock_guard lock(mu);
      if (static_cast<int64_t>(sessions.size()) < options.max_connections) {
        id = next_session++;
        sessions.emplace(id, session);
        counted = true;
      }
    }
    session->Run(counted, id);
    Accept();
  });
}

HttpServer::HttpServer(Options options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Result<ListenAddress> addr = ParseListenAddress(impl_->options.listen);
  if (!addr.ok()) return addr.status();
  beast::error_code ec;
  tcp::resolver resolver(impl_->ioc);
  auto endpoints = resolver.resolve(addr->host, std::to_string(addr->port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return Status::InvalidArgument("listen address \"" + impl_->options.listen + "\": " + ec.message());
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  const std::string where = "listen on " + impl_->options.listen + ": ";
  if (acceptor.open(endpoint.protocol(), ec); ec) return Status::Unavailable(where + ec.message());
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec)
    return Status::Unavailable(where + ec.message());
  if (acceptor.bind(endpoint, ec); ec) return Status::Unavailable(where + ec.message());
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
    return Status::Unavailable(where + ec.message());
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] {
      while (true) {
        try {
          impl_->ioc.run();
          return;
        } catch (const std::exception& e) {  // a completion handler threw: log, keep serving
          spdlog::error("http server thread: {}", e.what());
        }
      }
    });
  }
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Shutdown(std::chrono::milliseconds grace) {
  if (!impl_ || impl_->threads.empty()) return;
  impl_->draining = true;
  std::promise<void> closed;
  net::post(impl_->ioc, [this, &closed] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    closed.set_value();
  });
  closed.get_future().wait();
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [id, weak] : impl_->sessions) {
      if (std::shared_ptr<Session> s = weak.lock()) open.push_back(std::move(s));
    }
  }
  for (const std::shared_ptr<Session>& s : open) net::post(s->get_executor(), [s] { s->Nudge(); });
  open.clear();  // outside the lock: the last reference may end a session, which takes it
  std::unique_lock lock(impl_->mu);
  if (!impl_->idle_cv.wait_for(lock, grace, [&] { return impl_->sessions.empty(); })) {
    spdlog::warn("stopping with {} connections still busy after {} ms", impl_->sessions.size(), grace.count());
  }
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace smsgw::api
