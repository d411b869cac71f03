# The jsonld connector's tests (indexer/jsonld.h): real captured inputs under
# ${VP_REALDATA}, hand-written fixtures under tests/data/jsonld.
add_executable(test_jsonld test_jsonld.c)
target_link_libraries(test_jsonld PRIVATE vindplaats_indexer)
target_include_directories(test_jsonld PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
add_test(NAME unit_jsonld COMMAND test_jsonld ${VP_REALDATA} ${PROJECT_SOURCE_DIR}/tests/data)
