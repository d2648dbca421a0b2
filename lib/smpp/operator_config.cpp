#include "smpp/operator_config.h"

#include <algorithm>

namespace smsgw::smpp {

ClientConfig ClientConfigFromOperator(const config::OperatorConfig& op) {
  ClientConfig c;
  c.operator_name = op.name;
  c.host = op.host;
  c.port = static_cast<uint16_t>(op.port);
  c.system_id = op.system_id;
  c.password = op.password;
  c.system_type = op.system_type;
  c.window = op.window;
  c.enquire_link_s = op.enquire_link_s;
  // In 64 bits and clamped: reconnect_max_s * 1000 overflowed int for large values, and the
  // wrapped negative wait made the client reconnect every millisecond (review F5).
  c.reconnect_max_ms = static_cast<int>(std::clamp<int64_t>(int64_t{op.reconnect_max_s} * 1000, 1, 3600000));
  c.reconnect_initial_ms = std::min(op.reconnect_initial_ms, c.reconnect_max_ms);
  c.response_timeout_ms = op.response_timeout_ms;
  c.bind_timeout_ms = op.bind_timeout_ms;
  c.inactivity_timeout_ms = static_cast<int>(std::min<int64_t>(int64_t{op.inactivity_timeout_s} * 1000, 86400000));
  c.bind_mode = op.bind == "transmitter_receiver" ? BindMode::kTransmitterReceiver : BindMode::kTransceiver;
  c.long_messages = op.long_messages == "sar"       ? LongMessages::kSar
                    : op.long_messages == "payload" ? LongMessages::kPayload
                                                    : LongMessages::kUdh;
  return c;
}

}  // namespace smsgw::smpp
