#pragma once

#include "config/config.h"
#include "smpp/client_types.h"

namespace smsgw::smpp {

// The client settings for one [[operators]] entry of smsgw.toml. Timeouts the file does not
// name keep ClientConfig's defaults; reconnect_max_s becomes reconnect_max_ms.
ClientConfig ClientConfigFromOperator(const config::OperatorConfig& op);

}  // namespace smsgw::smpp
