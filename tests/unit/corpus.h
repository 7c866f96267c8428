/* corpus.h — runs a loader over a folder of malformed files (tests/malformed/
 * <folder>/) and checks each against the folder's manifest EXPECT. */
#ifndef GINV_TEST_CORPUS_H
#define GINV_TEST_CORPUS_H

#include "ginv.h"

#include <stddef.h>

/* Load one corpus file: path for loaders that read files, buf/len its bytes
 * for those that parse memory. Must release whatever it loaded. */
typedef ginv_status (*corpus_load_fn)(const char *path, const unsigned char *buf, size_t len);

/* For every manifest line "file<TAB>substring": load must fail, and the
 * message must contain the substring; messages must be distinct across the
 * folder (after removing the file's path) and every file in the folder must
 * be listed. Failures are recorded with CHECK_MSG. Returns the number of
 * files checked. */
int corpus_check(const char *folder, corpus_load_fn load);

/* The path of tests/malformed (GINV_TEST_DATA overrides). */
const char *corpus_root(void);

#endif
