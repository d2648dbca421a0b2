#include "smpp/operator_config.h"

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
  c.reconnect_max_ms = op.reconnect_max_s * 1000;
  return c;
}

}  // namespace smsgw::smpp
