# The feed connector's tests (indexer/feed.h): real captured inputs under
# ${VP_REALDATA}, hand-written fixtures under tests/data/feed.
add_executable(test_feed test_feed.c)
target_link_libraries(test_feed PRIVATE vindplaats_indexer)
target_include_directories(test_feed PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
add_test(NAME unit_feed COMMAND test_feed ${VP_REALDATA} ${PROJECT_SOURCE_DIR}/tests/data)
