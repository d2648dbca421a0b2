#include "smsgw-smsc-sim/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <future>

#include "common/time.h"
#include "smsgw-smsc-sim/server_impl.h"

namespace smsgw::smsc_sim {

using boost::asio::ip::tcp;

// ---- Server ----

Server::Server(boost::asio::io_context& io, ServerOptions options)
    : io_(io), impl_(std::make_shared<ServerImpl>(io, std::move(options))) {}

Server::~Server() {
  if (!impl_->listening_ || io_.stopped()) {
    impl_->DoStop();  // no handler of ours is queued or can run
  } else {
    Stop();
  }
}

Status Server::Start() { return impl_->Listen(); }

void Server::Stop() {
  auto impl = impl_;
  if (io_.get_executor().running_in_this_thread()) {
    boost::asio::dispatch(impl->strand_, [impl] { impl->DoStop(); });
    return;
  }
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> closed = done->get_future();
  boost::asio::post(impl->strand_, [impl, done] {
    impl->DoStop();
    done->set_value();
  });
  if (closed.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    spdlog::warn("smsc-sim: stop did not complete within 5 s (is the io_context running?)");
  }
}

uint16_t Server::port() const { return impl_->port_.load(); }

ServerCounters Server::counters() const {
  const ServerImpl& i = *impl_;
  ServerCounters c;
  c.binds = i.binds_.load();
  c.bind_failures = i.bind_failures_.load();
  c.submits = i.submits_.load();
  c.throttled = i.throttled_.load();
  c.rejected = i.rejected_.load();
  c.receipts_sent = i.receipts_sent_.load();
  c.receipts_acked = i.receipts_acked_.load();
  c.max_in_flight = i.max_in_flight_.load();
  return c;
}

// ---- ServerImpl ----

ServerImpl::ServerImpl(boost::asio::io_context& io, ServerOptions options)
    : strand_(boost::asio::make_strand(io)),
      options_(std::move(options)),
      acceptor_(strand_),
      // Seeded from the clock so a restarted simulator does not repeat ids an ESME still
      // waits receipts for.
      next_message_id_(static_cast<uint64_t>(NowMs()) * 1000) {}

Status ServerImpl::Listen() {
  boost::system::error_code ec;
  const std::string where = options_.listen_host + ":" + std::to_string(options_.port);
  const auto address = boost::asio::ip::make_address(options_.listen_host, ec);
  if (ec) return Status::InvalidArgument("listen address " + where + ": " + ec.message());
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(tcp::socket::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return Status::Unavailable("listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  listening_ = true;
  spdlog::debug("smsc-sim: listening on {}:{}", options_.listen_host, port_.load());
  boost::asio::post(strand_, [self = shared_from_this()] { self->Accept(); });
  return Status::Ok();
}

void ServerImpl::Accept() {
  if (stopped_) return;
  acceptor_.async_accept(
      strand_, [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket s) {
        if (self->stopped_) return;
        if (ec) {
          spdlog::warn("smsc-sim: accept: {}", ec.message());
        } else {
          auto session = std::make_shared<Session>(self, std::move(s));
          self->sessions_.insert(session);
          session->Start();
        }
        self->Accept();
      });
}

void ServerImpl::DoStop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (const auto& s : sessions) s->Close();
  if (listening_) spdlog::info("smsc-sim: stopped");
}

void ServerImpl::Forget(const std::shared_ptr<Session>& session) { sessions_.erase(session); }

std::string ServerImpl::NextMessageId() {
  char id[24];
  std::snprintf(id, sizeof id, "%llx", static_cast<unsigned long long>(next_message_id_++));
  return id;
}

}  // namespace smsgw::smsc_sim
