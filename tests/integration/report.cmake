# Needs SMSGW_TEST_REDIS_PORT and SMSGW_TEST_PG_DSN or SMSGW_TEST_PG_PORT (scripts/test starts
# the servers).
smsgw_add_test(report_pgtest SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_pgtest.cpp
               LIBS smsgw_report LABELS integration)
smsgw_add_integration_test(report_list_test)
target_link_libraries(report_list_test PRIVATE smsgw_sms)
smsgw_add_integration_test(report_webhook_test)
target_link_libraries(report_webhook_test PRIVATE smsgw_webhook smsgw_sms)
smsgw_add_integration_test(report_export_test)
find_package(CURL REQUIRED)
target_link_libraries(report_export_test PRIVATE CURL::libcurl)
