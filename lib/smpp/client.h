#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>

#include "smpp/client_types.h"
#include "smpp/pdu_types.h"
#include "smpp/receipt.h"

namespace smsgw::smpp {

class ClientImpl;

// An SMPP 3.4 ESME holding one transceiver bind to one SMSC, on Boost.Asio.
//
// Threads: every public method may be called from any thread; it posts to a strand on the
// caller's io_context, which may be run by one thread or several. All callbacks (done,
// on_receipt, on_mo, Stop's) run on that strand, never inside the public call itself, and
// never two at once for one client.
//
// Link: Start() connects, binds as transceiver, then keeps the link up: enquire_link every
// enquire_link_s, answers the SMSC's enquire_link, deliver_sm and unbind, generic_nack for
// anything it does not know. When the link drops, a bind fails or a response to a bind or
// enquire_link does not come in response_timeout_ms, it reconnects after reconnect_initial_ms,
// doubling up to reconnect_max_ms; a successful bind resets the wait.
class Client {
 public:
  using DoneHandler = std::function<void(SubmitResult)>;
  using ReceiptHandler = std::function<void(const Receipt&)>;
  using MoHandler = std::function<void(const DeliverSm&)>;

  // Does not connect yet. The io_context must outlive the Client.
  Client(boost::asio::io_context& io, ClientConfig config);

  // Closes the link without unbind if Stop() did not run. Outstanding requests still complete
  // ("client stopped") on the io_context if it keeps running, so what `done` captures must
  // outlive them; on_receipt and on_mo are no longer called.
  ~Client();

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Receipts: every deliver_sm whose esm_class has the receipt bit (0x04) and that names a
  // message id. Set before Start(). The deliver_sm_resp goes out after the handler returns.
  void set_on_receipt(ReceiptHandler handler);

  // Other deliver_sm (mobile-originated messages). Set before Start(); unset: logged at debug
  // level and acknowledged.
  void set_on_mo(MoHandler handler);

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
  //   requests it hands over, the FIFO does not.
  // - A part's failure fails the message: its unsent parts are dropped, and `done` runs when
  //   the parts already sent have been answered. Permanent wins over transient.
  // - A response not received within response_timeout_ms: transient "timeout" (the SMSC may
  //   still have taken it). The link dropping: transient "connection lost".
  void Submit(SubmitRequest request, DoneHandler done);

  // True between a successful bind_transceiver_resp and the link dropping or Stop().
  bool bound() const;

  ClientCounters counters() const;

  const ClientConfig& config() const;

 private:
  std::shared_ptr<ClientImpl> impl_;
};

}  // namespace smsgw::smpp
