# The ONIX connector (indexer/onix.h): golden tests on the real Jonix
# samples under ${VP_REALDATA}/onix and the fixtures under tests/data/onix.
add_executable(test_onix test_onix.c)
target_link_libraries(test_onix PRIVATE vindplaats_indexer)
target_include_directories(test_onix PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
add_test(NAME unit_onix COMMAND test_onix ${VP_REALDATA} ${PROJECT_SOURCE_DIR}/tests/data)
