# Unit tests of smsgw-api's pure parts (no servers): included from tests/unit/CMakeLists.txt.
foreach(t api_http_test api_request_test api_auth_test api_send_test api_batch_request_test api_send_batcher_test
          api_hold_state_test api_idempotency_record_test api_idempotency_gate_test api_kannel_protocol_test
          api_rate_limiter_test)
  smsgw_add_test(${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${t}.cpp LIBS smsgw_api LABELS unit)
endforeach()
