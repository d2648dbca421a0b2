#include "metrics/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "common/host_port.h"

namespace smsgw::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";

struct Handlers {
  Registry* registry;
  std::function<Health()> health;
};

http::response<http::string_body> Answer(const Handlers& h, const http::request<http::string_body>& req) {
  http::response<http::string_body> res;
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  res.set(http::field::server, "smsgw");
  const std::string target(req.target().substr(0, req.target().find('?')));
  if (target != "/metrics" && target != "/healthz") {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "text/plain");
    res.body() = "not found: try /metrics or /healthz\n";
  } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET, HEAD");
  } else if (target == "/metrics") {
    res.result(http::status::ok);
    res.set(http::field::content_type, kMetricsType);
    res.body() = h.registry->Expose();
  } else {
    Health health = h.health();
    res.result(health.ok ? http::status::ok : http::status::service_unavailable);
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(health.body) + "\n";
  }
  if (req.method() == http::verb::head) {
    res.content_length(res.body().size());
    res.body().clear();
    return res;
  }
  res.prepare_payload();
  return res;
}

// One connection: read a request, answer it, repeat while the client keeps it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handlers& handlers) : stream_(std::move(socket)), handlers_(handlers) {}
  void Read() {
    request_ = {};
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->response_ = Answer(self->handlers_, self->request_);
      http::async_write(self->stream_, self->response_, [self](beast::error_code ec, size_t) {
        if (ec || !self->response_.keep_alive()) return self->Close();
        self->Read();
      });
    });
  }

 private:
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
  beast::tcp_stream stream_;
  const Handlers& handlers_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

}  // namespace

struct Server::Impl {
  Handlers handlers;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  uint16_t port = 0;

  void Accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), handlers)->Read();
      Accept();
    });
  }
};

Server::Server(Registry& registry, std::function<Health()> health) : impl_(std::make_unique<Impl>()) {
  impl_->handlers = {&registry, std::move(health)};
}

Server::~Server() { Stop(); }

Status Server::Start(const std::string& listen) {
  Result<HostPort> addr = ParseHostPort(listen);
  if (!addr.ok()) return addr.status();
  beast::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(addr->host, ec);
  if (ec) return Status::InvalidArgument("metrics_listen \"" + listen + "\": " + ec.message());
  const tcp::endpoint endpoint(ip, addr->port);
  tcp::acceptor& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("metrics_listen " + listen + ": " + ec.message());
  impl_->port = a.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port; }

void Server::Stop() {
  if (!impl_->thread.joinable()) return;
  // Stopping the io_context abandons open connections; their sockets close as the handlers
  // holding them are destroyed with it.
  impl_->io.stop();
  impl_->thread.join();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

}  // namespace smsgw::metrics
