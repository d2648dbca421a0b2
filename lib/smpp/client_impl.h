#pragma once

// Internal to lib/smpp: the state behind Client. Every member function runs on strand_;
// only the atomics are read from other threads. Handlers hold a shared_ptr to the impl (and to
// the Link they belong to), so a Client may be destroyed while operations are pending.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <chrono>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "smpp/client.h"
#include "smpp/pdu.h"

namespace smsgw::smpp {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// One TCP connection. Replaced, never reused, on reconnect: handlers of an old Link see that
// it is no longer impl->link_ and do nothing.
struct Link {
  explicit Link(const Strand& strand) : socket(strand) {}
  boost::asio::ip::tcp::socket socket;
  FrameDecoder decoder;
  std::array<char, 4096> read_buf{};
  std::deque<std::string> write_queue;
  bool writing = false;
  bool close_when_drained = false;  // after a goodbye (unbind_resp): close once written
  bool read_paused = false;         // too much queued for writing: reading waits (review F8)
};

// Past this many PDUs queued for writing a link stops reading until its queue is below a
// quarter of it: a peer that floods requests without reading our answers is pushed back by
// TCP instead of growing our memory.
inline constexpr size_t kReadPauseQueue = 256;

// A Submit() in progress.
struct PendingRequest {
  std::vector<SubmitSm> pdus;
  Client::DoneHandler done;
  SubmitResult result;
  size_t unfinished = 0;  // parts neither answered nor dropped yet
  std::string tag;        // SubmitRequest::tag, for a late response
};

class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
 public:
  // What this link binds as.
  enum class Role { kTransceiver, kTransmitter, kReceiver };

  ClientImpl(boost::asio::io_context& io, ClientConfig config, Role role);

  // Entry points, posted by Client onto strand_.
  void DoStart();
  void DoStop(std::function<void()> stopped, bool abandon);
  void DoSubmit(SubmitRequest request, Client::DoneHandler done);

  Strand strand_;
  const ClientConfig config_;
  Client::ReceiptHandler on_receipt_;
  Client::MoHandler on_mo_;
  Client::LateResponseHandler on_late_;

  std::atomic<bool> bound_{false};
  std::atomic<bool> abandoned_{false};  // the Client is gone: user handlers are off limits
  std::atomic<uint64_t> submitted_{0}, responses_{0}, receipts_{0}, reconnects_{0},
      timeouts_{0}, in_flight_gauge_{0}, queued_gauge_{0}, max_in_flight_{0}, late_responses_{0},
      max_write_queue_{0}, refused_inbound_{0};

 private:
  enum class State { kIdle, kConnecting, kBinding, kBound, kUnbinding, kBackoff, kStopped };
  enum class Kind { kBind, kSubmit, kEnquire, kUnbind };

  struct PartRef {
    std::shared_ptr<PendingRequest> request;
    size_t index = 0;
  };
  // A request PDU we sent and whose response we wait for.
  struct Outstanding {
    Kind kind = Kind::kSubmit;
    PartRef part;  // kSubmit only
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  // A submit that timed out, remembered in case its response still comes (review m18).
  struct LateRef {
    std::string tag;
    size_t index = 0;
  };
  static constexpr size_t kMaxLateRefs = 4096;

  // client_link.cpp: connection, bytes in and out, reconnect, stop.
  void Connect();
  void ScheduleInactivityCheck();
  PduBody BindRequest() const;
  void OnConnected(const std::shared_ptr<Link>& link);
  void StartRead(const std::shared_ptr<Link>& link);
  void OnRead(const std::shared_ptr<Link>& link, size_t n);
  void Write(std::string bytes);
  void StartWrite(const std::shared_ptr<Link>& link);
  void CloseLink(const std::string& reason);
  void ScheduleReconnect();
  void ScheduleEnquireLink();
  void CompleteStop();
  void OnBound();

  // client_inbound.cpp: what the SMSC sends.
  void OnFrame(const std::string& frame);
  void OnPdu(const Pdu& pdu);
  void OnBindResp(const Pdu& pdu, Outstanding out);
  void OnSubmitResp(const Pdu& pdu, Outstanding out);
  void OnDeliverSm(const Pdu& pdu, const DeliverSm& deliver);
  void OnGenericNack(const Pdu& pdu);
  void OnLateSubmitResp(const Pdu& pdu);
  // The Ack handed to on_receipt/on_mo for deliver_sm `sequence_number` on `link`.
  Client::Ack MakeAck(const std::shared_ptr<Link>& link, uint32_t sequence_number);

  // client.cpp: requests, the window and outcomes.
  uint32_t Send(PduBody body, Kind kind, PartRef part);  // part: kSubmit only
  void Reply(uint32_t sequence_number, PduBody body, uint32_t command_status = ESME_ROK);
  void Pump();
  void OnTimeout(uint32_t sequence_number);
  bool TakeOutstanding(uint32_t sequence_number, Outstanding* out);
  void FailPart(const PartRef& part, SubmitResult::Kind kind, uint32_t command_status,
                const std::string& detail);
  void FinishPart(const PartRef& part);
  void FailAllRequests(const std::string& detail);
  void UpdateGauges();
  const std::string& name() const { return config_.operator_name; }

  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer enquire_timer_;
  boost::asio::steady_timer inactivity_timer_;

  const Role role_;
  State state_ = State::kIdle;
  bool stopping_ = false;
  std::shared_ptr<Link> link_;
  std::deque<PartRef> queue_;
  std::unordered_map<uint32_t, Outstanding> outstanding_;
  size_t submits_in_flight_ = 0;
  uint32_t next_sequence_ = 1;
  uint16_t next_concat_ref_ = 0;
  std::unordered_map<uint32_t, LateRef> late_;  // by sequence number, this link only
  std::deque<uint32_t> late_order_;             // oldest first, to bound late_
  size_t unacked_inbound_ = 0;                  // deliver_sm handed out, not yet answered
  std::chrono::steady_clock::time_point last_rx_;
  int backoff_ms_ = 0;
  bool started_once_ = false;
  std::vector<std::function<void()>> stopped_callbacks_;
};

}  // namespace smsgw::smpp
