# The OAI-PMH connector: its parsers (oai.c, marc.c) on the captured real
# responses under tests/data/realdata, and its protocol loop
# (oai_harvest.c) against a fake run defined in the test itself. The loop
# test is compiled from the connector's sources directly rather than from
# vindplaats_indexer, so that its fake vp_run_* functions do not meet the
# real ones of harvest.c.
add_executable(test_oai test_oai.c)
target_link_libraries(test_oai PRIVATE vindplaats_indexer)
target_include_directories(test_oai PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
add_test(NAME unit_oai COMMAND test_oai ${VP_REALDATA})

add_executable(test_oai_harvest test_oai.c
  ${PROJECT_SOURCE_DIR}/indexer/oai_harvest.c
  ${PROJECT_SOURCE_DIR}/indexer/oai.c
  ${PROJECT_SOURCE_DIR}/indexer/marc.c
  ${PROJECT_SOURCE_DIR}/indexer/marcfile.c
  ${PROJECT_SOURCE_DIR}/indexer/xml.c
  ${PROJECT_SOURCE_DIR}/indexer/web.c
  ${PROJECT_SOURCE_DIR}/indexer/connector.c)
target_compile_definitions(test_oai_harvest PRIVATE VP_TEST_HARVEST_LOOP)
target_link_libraries(test_oai_harvest PRIVATE vindplaats_engine
  PkgConfig::CURL PkgConfig::LIBXML2 PkgConfig::JANSSON PkgConfig::YAZ)
target_include_directories(test_oai_harvest PRIVATE ${PROJECT_SOURCE_DIR}/tests/support
  ${PROJECT_SOURCE_DIR}/indexer)
add_test(NAME unit_oai_harvest COMMAND test_oai_harvest ${VP_REALDATA})
