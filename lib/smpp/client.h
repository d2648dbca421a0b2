#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>

#include "smpp/client_types.h"
#include "smpp/pdu_types.h"
#include "smpp/receipt.h"

namespace smsgw::smpp {

class ClientImpl;

// An SMPP 3.4 ESME bound to one SMSC, on Boost.Asio: one transceiver session, or (bind_mode
// kTransmitterReceiver) a transmitter for submits beside a receiver for deliver_sm, each a
// link of its own with its own reconnects.
//
// Threads: every public method may be called from any thread; it posts to a strand on the
// caller's io_context, which may be run by one thread or several. All callbacks (done,
// on_receipt, on_mo, on_late_response, Stop's) run on a strand, never inside the public call
// itself, and never two at once for one link.
//
// Link: Start() connects, binds, then keeps the link up: enquire_link every enquire_link_s,
// answers the SMSC's enquire_link, deliver_sm and unbind, generic_nack for anything it does
// not know. When the link drops, a bind cannot be encoded or is refused, a response to a bind
// (bind_timeout_ms) or enquire_link (response_timeout_ms) does not come, or nothing at all
// comes for inactivity_timeout_ms, it reconnects after reconnect_initial_ms, doubling up to
// reconnect_max_ms; a successful bind resets the wait.
class Client {
 public:
  using DoneHandler = std::function<void(SubmitResult)>;
  // Answers one deliver_sm: true once what it carried is durably recorded (deliver_sm_resp
  // ESME_ROK), false when it could not be (ESME_RX_T_APPN: the SMSC sends it again later).
  // May be called from any thread, once; if the link it came on is gone by then, nothing is
  // sent (the SMSC sends the deliver_sm again on a later bind).
  using Ack = std::function<void(bool recorded)>;
  using ReceiptHandler = std::function<void(const Receipt&, Ack)>;
  using MoHandler = std::function<void(const DeliverSm&, Ack)>;
  // A submit_sm_resp ESME_ROK that came after its submit had timed out (and was reported as
  // transient "timeout"): the SMSC took part `part` of the request tagged `tag` after all,
  // under `message_id` (review m18).
  using LateResponseHandler = std::function<void(const std::string& tag, size_t part, const std::string& message_id)>;

  // Does not connect yet. The io_context must outlive the Client.
  Client(boost::asio::io_context& io, ClientConfig config);

  // Closes the link without unbind if Stop() did not run. Outstanding requests still complete
  // ("client stopped") on the io_context if it keeps running, so what `done` captures must
  // outlive them; on_receipt, on_mo and on_late_response are no longer called.
  ~Client();

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Receipts: every deliver_sm whose esm_class has the receipt bit (0x04) and that names a
  // message id. Set before Start(). The deliver_sm_resp goes out when the handler's Ack runs;
  // unset, receipts are acknowledged at once.
  void set_on_receipt(ReceiptHandler handler);

  // Other deliver_sm (mobile-originated messages), acknowledged the same way. Set before
  // Start(); unset: logged at debug level and acknowledged.
  void set_on_mo(MoHandler handler);

  // Set before Start(); unset, late responses are only counted.
  void set_on_late_response(LateResponseHandler handler);

  // Starts connecting. Call once; a stopped client cannot be started again.
  void Start();

  // Sends unbind if bound, waits up to unbind_timeout_ms for unbind_resp, closes, and stops
  // reconnecting. Parts not yet sent and responses not yet received complete as transient
  // failures. `stopped` (optional) runs once everything is closed.
  void Stop(std::function<void()> stopped = {});

  // Sends one message and calls `done` exactly once with the outcome (see SubmitResult).
  // - Not bound (connecting, backing off, stopped): transient "not bound" at once, so that
  //   requests never pile up while the SMSC is away; the caller retries later.
  // - Malformed request (addresses, parts): permanent, nothing sent.
  // - Otherwise each submit_sm waits in a FIFO inside the client until one of the `window`
  //   slots is free; the parts of one message go out back to back. The caller bounds how many
  //   requests it hands over, the FIFO does not. Parts named in request.done_ids are not sent.
  // - A part's failure fails the message: its unsent parts are dropped, and `done` runs when
  //   the parts already sent have been answered; the ids of the parts accepted are reported,
  //   so a retry sends only the others, under the same concat_ref. Permanent wins over
  //   transient.
  // - A response not received within response_timeout_ms: transient "timeout" (the SMSC may
  //   still have taken it; see LateResponseHandler). The link dropping: transient
  //   "connection lost".
  void Submit(SubmitRequest request, DoneHandler done);

  // True while submits can go out: the transceiver (or transmitter) is bound.
  bool bound() const;

  // Sums over the client's links.
  ClientCounters counters() const;

  const ClientConfig& config() const;

 private:
  std::shared_ptr<ClientImpl> impl_;     // transceiver, or transmitter
  std::shared_ptr<ClientImpl> rx_impl_;  // receiver, in kTransmitterReceiver mode only
};

}  // namespace smsgw::smpp
