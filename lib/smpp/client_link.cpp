// ClientImpl: the TCP connection, bytes in and out, reconnect with backoff, stop.

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "smpp/client_impl.h"

namespace smsgw::smpp {

using boost::asio::ip::tcp;
using std::chrono::milliseconds;

void ClientImpl::DoStart() {
  if (started_once_ || stopping_) return;
  started_once_ = true;
  backoff_ms_ = std::max(1, config_.reconnect_initial_ms);
  Connect();
}

void ClientImpl::Connect() {
  state_ = State::kConnecting;
  auto link = std::make_shared<Link>(strand_);
  link_ = link;
  auto self = shared_from_this();
  // TCP connect to an address that drops SYNs takes minutes to fail on its own.
  connect_timer_.expires_after(milliseconds(config_.response_timeout_ms));
  connect_timer_.async_wait([self, link](const boost::system::error_code& ec) {
    if (ec || link != self->link_ || self->state_ != State::kConnecting) return;
    self->CloseLink("connect timed out");
  });
  resolver_.async_resolve(
      config_.host, std::to_string(config_.port),
      [self, link](const boost::system::error_code& ec, const tcp::resolver::results_type& found) {
        if (link != self->link_) return;
        if (ec) {
          self->CloseLink("resolve " + self->config_.host + ": " + ec.message());
          return;
        }
        boost::asio::async_connect(
            link->socket, found,
            [self, link](const boost::system::error_code& ec, const tcp::endpoint&) {
              if (link != self->link_) return;
              if (ec) {
                self->CloseLink("connect: " + ec.message());
                return;
              }
              self->OnConnected(link);
            });
      });
}

void ClientImpl::OnConnected(const std::shared_ptr<Link>& link) {
  connect_timer_.cancel();
  state_ = State::kBinding;
  boost::system::error_code ignored;
  link->socket.set_option(tcp::no_delay(true), ignored);
  spdlog::debug("smpp[{}]: connected to {}:{}, binding as {}", name(), config_.host,
                config_.port, config_.system_id);
  last_rx_ = std::chrono::steady_clock::now();
  StartRead(link);
  ScheduleInactivityCheck();
  Send(BindRequest(), Kind::kBind, PartRef{});
}

PduBody ClientImpl::BindRequest() const {
  BindTransceiver bind;
  bind.system_id = config_.system_id;
  bind.password = config_.password;
  bind.system_type = config_.system_type;
  switch (role_) {
    case Role::kTransmitter: return PduBody{BindTransmitter{std::move(bind)}};
    case Role::kReceiver: return PduBody{BindReceiver{std::move(bind)}};
    case Role::kTransceiver: break;
  }
  return PduBody{std::move(bind)};
}

void ClientImpl::ScheduleInactivityCheck() {
  if (config_.inactivity_timeout_ms <= 0) return;
  inactivity_timer_.expires_after(milliseconds(std::max(50, config_.inactivity_timeout_ms / 4)));
  inactivity_timer_.async_wait([self = shared_from_this(), link = link_](const boost::system::error_code& ec) {
    if (ec || link != self->link_) return;
    const auto quiet = std::chrono::steady_clock::now() - self->last_rx_;
    if (quiet >= milliseconds(self->config_.inactivity_timeout_ms)) {
      self->CloseLink("nothing from the SMSC for " + std::to_string(self->config_.inactivity_timeout_ms) + " ms");
      return;
    }
    self->ScheduleInactivityCheck();
  });
}

void ClientImpl::OnBound() {
  state_ = State::kBound;
  bound_ = true;
  backoff_ms_ = std::max(1, config_.reconnect_initial_ms);
  spdlog::info("smpp[{}]: bound to {}:{} as {}", name(), config_.host, config_.port,
               config_.system_id);
  ScheduleEnquireLink();
  Pump();
}

void ClientImpl::StartRead(const std::shared_ptr<Link>& link) {
  link->socket.async_read_some(
      boost::asio::buffer(link->read_buf),
      [self = shared_from_this(), link](const boost::system::error_code& ec, size_t n) {
        if (link != self->link_) return;
        if (ec) {
          self->CloseLink(ec == boost::asio::error::eof ? "closed by the SMSC"
                                                        : "read: " + ec.message());
          return;
        }
        self->OnRead(link, n);
      });
}

void ClientImpl::OnRead(const std::shared_ptr<Link>& link, size_t n) {
  last_rx_ = std::chrono::steady_clock::now();
  link->decoder.Feed(std::string_view(link->read_buf.data(), n));
  while (true) {
    Result<std::optional<std::string>> frame = link->decoder.Next();
    if (!frame.ok()) {
      CloseLink(frame.status().message());
      return;
    }
    if (!frame->has_value()) break;
    OnFrame(**frame);
    if (link != link_) return;  // the frame ended this link (unbind, protocol error)
  }
  if (link->write_queue.size() >= kReadPauseQueue) {
    link->read_paused = true;  // StartWrite resumes once the peer has read enough
    return;
  }
  StartRead(link);
}

void ClientImpl::Write(std::string bytes) {
  if (!link_) return;
  if (link_->write_queue.size() >= static_cast<size_t>(std::max(config_.max_write_queue, 1))) {
    CloseLink("the SMSC does not read: " + std::to_string(link_->write_queue.size()) + " PDUs queued");
    return;
  }
  link_->write_queue.push_back(std::move(bytes));
  if (link_->write_queue.size() > max_write_queue_.load()) max_write_queue_ = link_->write_queue.size();
  if (!link_->writing) StartWrite(link_);
}

void ClientImpl::StartWrite(const std::shared_ptr<Link>& link) {
  link->writing = true;
  boost::asio::async_write(
      link->socket, boost::asio::buffer(link->write_queue.front()),
      [self = shared_from_this(), link](const boost::system::error_code& ec, size_t) {
        link->writing = false;
        if (ec) {
          if (link == self->link_) self->CloseLink("write: " + ec.message());
          return;
        }
        link->write_queue.pop_front();
        if (link->read_paused && link->write_queue.size() <= kReadPauseQueue / 4 && link == self->link_) {
          link->read_paused = false;
          self->StartRead(link);
        }
        if (!link->write_queue.empty()) {
          self->StartWrite(link);
        } else if (link->close_when_drained) {
          boost::system::error_code ignored;
          link->socket.shutdown(tcp::socket::shutdown_both, ignored);
          link->socket.close(ignored);
        }
      });
}

void ClientImpl::CloseLink(const std::string& reason) {
  const bool was_bound = state_ == State::kBound || state_ == State::kUnbinding;
  bound_ = false;
  boost::system::error_code ignored;
  connect_timer_.cancel();
  enquire_timer_.cancel();
  inactivity_timer_.cancel();
  resolver_.cancel();
  // Sequence numbers belong to the link: no late response can come on the next one.
  late_.clear();
  late_order_.clear();
  if (link_) {
    std::shared_ptr<Link> link = std::move(link_);
    link_.reset();
    // A goodbye still being written closes the socket itself once it is out.
    if (!(link->close_when_drained && link->writing)) {
      link->socket.shutdown(tcp::socket::shutdown_both, ignored);
      link->socket.close(ignored);
    }
  }
  if (stopping_) {
    spdlog::info("smpp[{}]: link closed ({})", name(), reason);
  } else if (was_bound) {
    spdlog::warn("smpp[{}]: link lost: {}", name(), reason);
  } else {
    spdlog::warn("smpp[{}]: cannot bind to {}:{}: {}", name(), config_.host, config_.port,
                 reason);
  }
  FailAllRequests(stopping_ ? "client stopped" : "connection lost");
  if (stopping_) {
    CompleteStop();
  } else {
    ScheduleReconnect();
  }
}

void ClientImpl::ScheduleReconnect() {
  state_ = State::kBackoff;
  const int wait_ms = backoff_ms_;
  // In 64 bits: a large reconnect_max_ms must not overflow the doubling (review F5).
  backoff_ms_ = static_cast<int>(std::min<int64_t>(int64_t{backoff_ms_} * 2, std::max(config_.reconnect_max_ms, 1)));
  spdlog::info("smpp[{}]: reconnecting in {} ms", name(), wait_ms);
  reconnect_timer_.expires_after(milliseconds(wait_ms));
  reconnect_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopping_ || self->state_ != State::kBackoff) return;
    ++self->reconnects_;
    self->Connect();
  });
}

void ClientImpl::ScheduleEnquireLink() {
  if (config_.enquire_link_s <= 0) return;
  enquire_timer_.expires_after(std::chrono::seconds(config_.enquire_link_s));
  enquire_timer_.async_wait(
      [self = shared_from_this(), link = link_](const boost::system::error_code& ec) {
        if (ec || link != self->link_ || self->state_ != State::kBound) return;
        self->Send(PduBody{EnquireLink{}}, Kind::kEnquire, PartRef{});
        self->ScheduleEnquireLink();
      });
}

void ClientImpl::DoStop(std::function<void()> stopped, bool abandon) {
  if (state_ == State::kStopped) {
    if (stopped) boost::asio::post(strand_, std::move(stopped));
    return;
  }
  if (stopped) stopped_callbacks_.push_back(std::move(stopped));
  if (stopping_ && !abandon) return;  // already on its way
  stopping_ = true;
  reconnect_timer_.cancel();
  if (state_ == State::kBound && !abandon) {
    // Say goodbye: no new submits, the unsent parts fail now, the ones on the wire may still
    // be answered before unbind_resp.
    state_ = State::kUnbinding;
    bound_ = false;
    std::deque<PartRef> queue = std::move(queue_);
    queue_.clear();
    for (const PartRef& part : queue) {
      FailPart(part, SubmitResult::Kind::kTransient, 0, "client stopped");
      FinishPart(part);
    }
    UpdateGauges();
    Send(PduBody{Unbind{}}, Kind::kUnbind, PartRef{});
    return;
  }
  CloseLink(abandon ? "client destroyed" : "stopped");
}

void ClientImpl::CompleteStop() {
  state_ = State::kStopped;
  reconnect_timer_.cancel();
  std::vector<std::function<void()>> callbacks = std::move(stopped_callbacks_);
  stopped_callbacks_.clear();
  for (auto& cb : callbacks) cb();
}

}  // namespace smsgw::smpp
