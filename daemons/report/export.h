#pragma once

#include <cstdint>
#include <functional>

#include "common/status.h"
#include "pg/pg.h"
#include "proto/smsgw.pb.h"

namespace smsgw::report {

// Streams an account's messages, oldest first, in the request's format: PostgreSQL's COPY
// sends the rows and each line is formatted as it arrives (export_format.h), so memory stays
// at about one chunk (~64 kB) however many rows there are. Each chunk goes to `emit`, which
// returns false when the receiver has gone: the export then stops with kUnavailable.
// kInvalidArgument for a bad request ("status: ...", "until: ..."). Holds one connection of
// `pool` for the whole export.
Status ExportMessages(pg::Pool& pool, const v1::ExportRequest& request,
                      const std::function<bool(const v1::ExportChunk&)>& emit);

}  // namespace smsgw::report
