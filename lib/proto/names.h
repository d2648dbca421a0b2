#pragma once

#include <string_view>

#include "proto/smsgw.pb.h"

// The text forms of the protobuf enums, as the REST API shows them and PostgreSQL stores them.
// In the enums' own namespace, so unqualified calls with an enum argument find them.
namespace smsgw::v1 {

// Rank of a status: accepted 1 < submitted 2 < every final status 3; 0 for an unknown value.
// A message's status never moves to a lower rank.
int StatusRank(MessageStatus status);
// "accepted", "submitted", "delivered", "undelivered", "failed", "expired", "canceled";
// empty for an unknown value.
std::string_view StatusName(MessageStatus status);
// The reverse of StatusName; STATUS_UNSPECIFIED for text it does not know.
MessageStatus StatusFromName(std::string_view name);

// "gsm7"/"ucs2" and "normal"/"express"; empty for an unknown value. The reverse functions give
// the enum's default (gsm7, normal) for text they do not know.
std::string_view EncodingName(Encoding encoding);
Encoding EncodingFromName(std::string_view name);
std::string_view PriorityName(Priority priority);
Priority PriorityFromName(std::string_view name);

}  // namespace smsgw::v1
