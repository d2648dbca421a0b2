#include "smsgw-smsc-sim/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <future>
#include <random>

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
  c.receipts_resent = i.receipts_resent_.load();
  c.receipts_refused = i.receipts_refused_.load();
  c.mo_sent = i.mo_sent_.load();
  c.failed_transient = i.failed_transient_.load();
  c.failed_permanent = i.failed_permanent_.load();
  c.max_write_queue = i.max_write_queue_.load();
  c.reassembled = i.reassembled_.load();
  c.duplicate_parts = i.duplicate_parts_.load();
  c.reassembly_errors = i.reassembly_errors_.load();
  return c;
}

// ---- ServerImpl ----

ServerImpl::ServerImpl(boost::asio::io_context& io, ServerOptions options)
    : strand_(boost::asio::make_strand(io)),
      options_(std::move(options)),
      acceptor_(strand_),
      rate_timer_(strand_),
      // Seeded from the clock so a restarted simulator does not repeat ids an ESME still
      // waits receipts for.
      next_message_id_(static_cast<uint64_t>(NowMs()) * 1000),
      rng_(options_.seed) {}

Status ServerImpl::Listen() {
  if (!options_.submit_log.empty()) {
    submit_log_ = std::fopen(options_.submit_log.c_str(), "a");
    if (submit_log_ == nullptr) {
      return Status::InvalidArgument("--submit-log " + options_.submit_log + ": " + std::strerror(errno));
    }
  }
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
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->Accept();
    if (self->options_.print_rate) self->PrintRate(0, 0, 0);
  });
  return Status::Ok();
}

void ServerImpl::PrintRate(uint64_t last_submits, uint64_t last_receipts, uint64_t last_throttled) {
  // At the next whole second, the counts of the one that ended; only seconds with traffic.
  const int64_t now = NowMs();
  rate_timer_.expires_after(std::chrono::milliseconds(1000 - now % 1000));
  rate_timer_.async_wait([self = shared_from_this(), last_submits, last_receipts, last_throttled](
                             const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    const uint64_t submits = self->submits_, receipts = self->receipts_sent_, throttled = self->throttled_;
    if (submits != last_submits || receipts != last_receipts) {
      std::printf("rate second=%lld submits=%llu throttled=%llu receipts=%llu\n",
                  static_cast<long long>(NowMs() / 1000 - 1), static_cast<unsigned long long>(submits - last_submits),
                  static_cast<unsigned long long>(throttled - last_throttled),
                  static_cast<unsigned long long>(receipts - last_receipts));
      std::fflush(stdout);
    }
    self->PrintRate(submits, receipts, throttled);
  });
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

void ServerImpl::LogSubmit(const smpp::SubmitSm& submit, uint32_t status, const std::string& message_id) {
  if (submit_log_ == nullptr) return;
  std::string text;
  for (char c : submit.Payload()) text.push_back(c >= 0x20 && c < 0x7F ? c : '.');
  std::fprintf(submit_log_, "%08x\t%s\t%s\t%s\n", status, submit.destination_addr.c_str(), message_id.c_str(),
               text.c_str());
  std::fflush(submit_log_);  // a line per write(2): a killed simulator loses none it answered
}

void ServerImpl::DoStop() {
  if (stopped_) return;
  stopped_ = true;
  if (submit_log_ != nullptr) {
    std::fclose(submit_log_);
    submit_log_ = nullptr;
  }
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  rate_timer_.cancel();
  // Receipts not yet due would keep the io_context (and so the process) alive after a stop.
  auto timers = std::move(timers_);
  timers_.clear();
  for (const auto& t : timers) t->cancel();
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (const auto& s : sessions) s->Close();
  if (listening_) spdlog::info("smsc-sim: stopped");
}

void ServerImpl::Forget(const std::shared_ptr<Session>& session) { sessions_.erase(session); }

std::string ServerImpl::NextMessageId() {
  char id[24];
  const char* format = options_.id_format == "dec" ? "%llu" : options_.id_format == "HEX" ? "%llX" : "%llx";
  std::snprintf(id, sizeof id, format, static_cast<unsigned long long>(next_message_id_++));
  return id;
}

uint32_t ServerImpl::Verdict(uint64_t n, const smpp::SubmitSm& submit) {
  const ServerOptions& o = options_;
  if (o.throttle_every > 0 && n % static_cast<uint64_t>(o.throttle_every) == 0) return smpp::ESME_RTHROTTLED;
  if (o.max_tps > 0) {
    const int64_t second = NowMs() / 1000;
    if (second != tps_second_) {
      tps_second_ = second;
      tps_count_ = 0;
    }
    if (++tps_count_ > o.max_tps) return smpp::ESME_RTHROTTLED;
  }
  if (!o.reject_prefix.empty() && submit.destination_addr.compare(0, o.reject_prefix.size(), o.reject_prefix) == 0) {
    return smpp::ESME_RSUBMITFAIL;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (o.permanent_rate > 0 && unit(rng_) < o.permanent_rate) {
    ++failed_permanent_;
    return smpp::ESME_RSUBMITFAIL;
  }
  if (o.transient_rate > 0 && unit(rng_) < o.transient_rate) {
    ++failed_transient_;
    return smpp::ESME_RSYSERR;
  }
  return smpp::ESME_ROK;
}

std::string ServerImpl::NextStat() {
  const ServerOptions& o = options_;
  int total = 0;
  for (const auto& [stat, weight] : o.receipt_mix) total += weight;
  if (total <= 0) return o.receipt_stat;
  int pick = std::uniform_int_distribution<int>(0, total - 1)(rng_);
  for (const auto& [stat, weight] : o.receipt_mix) {
    if (pick < weight) return stat;
    pick -= weight;
  }
  return o.receipt_stat;
}

void ServerImpl::Dispatch(Outgoing out) {
  std::vector<std::shared_ptr<Session>> receivers;
  for (const auto& s : sessions_) {
    if (s->can_receive() && s->system_id() == out.system_id) receivers.push_back(s);
  }
  if (receivers.empty()) {
    waiting_[out.system_id].push_back(std::move(out));
    return;
  }
  receivers[rotation_++ % receivers.size()]->Deliver(std::move(out));
}

void ServerImpl::OnReceiverBound(const std::shared_ptr<Session>& session) {
  auto it = waiting_.find(session->system_id());
  if (it == waiting_.end()) return;
  std::deque<Outgoing> queued = std::move(it->second);
  waiting_.erase(it);
  for (Outgoing& out : queued) session->Deliver(std::move(out));
}

}  // namespace smsgw::smsc_sim
