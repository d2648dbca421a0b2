#include "api/send_batcher.h"

namespace smsgw::api {

SendBatcher::SendBatcher(Options options, SendDeps deps)
    : deps_(std::move(deps)),
      commit_(
          options, [this](std::vector<v1::Envelope>& envelopes) { return DebitAndEnqueue(deps_, envelopes); },
          [](const std::string& why) { return Status::Unavailable(why); }, "smsgw-api's send queue") {}

}  // namespace smsgw::api
