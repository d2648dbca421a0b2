# The ESME client against the in-process SMSC simulator over real TCP on 127.0.0.1.
smsgw_add_test(smpp_client_sim_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/smpp_client_sim_test.cpp LIBS smsgw_smpp smsgw_smsc_sim LABELS integration)
