# Needs SMSGW_TEST_REDIS_PORT and SMSGW_TEST_PG_DSN or SMSGW_TEST_PG_PORT (scripts/test starts
# the servers).
smsgw_add_test(report_pgtest SOURCES ${CMAKE_CURRENT_LIST_DIR}/report_pgtest.cpp
               LIBS smsgw_report LABELS integration)
