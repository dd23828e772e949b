/*
 * midrc_gdcm_walk: a DICOM file's header, read by GDCM, as one flat record stream, in one call.
 *
 * The managed reader (Midrc.Curation.Dicom.NativeHeaderWalk) calls this once per file instead of making a dozen
 * interop calls per element through GDCM's C# binding. Nothing here throws across the boundary: every C++ exception is
 * caught and turned into a status code. The functions are safe to call from several threads at once.
 *
 * The record stream (little endian, unaligned):
 *
 *   stream    := dataset(file meta) dataset(main data set)
 *   dataset   := 'D' u8 has_charset [element(0008,0005) when has_charset == 1] element* 'd'
 *   element   := 'E' fields                          an element without items
 *              | 'S' fields dataset* 's'             an element read as a sequence, then its items in order
 *   fields    := u32 tag (group << 16 | element)
 *                char[2] vr
 *                u32 declared value length (0xFFFFFFFF when undefined)
 *                u32 n, then n value bytes
 *
 * The charset element a dataset starts with repeats that data set's Specific Character Set so that a reader knows how
 * to decode text before it meets elements that sort before (0008,0005) (odd groups 0001 to 0007).
 *
 * vr is the VR as GDCM resolves it: the file's explicit VR; for implicit VR or UN, the public dictionary's VR, or for a
 * private tag the private dictionary's VR keyed by its private creator (private creators are LO, group lengths UL,
 * anything unknown UN). The dictionary's "US or SS" is written "xs": which one it is depends on the data set's Pixel
 * Representation, which the reader decides. "OB or OW" is written OW; "US or OW" and "US or SS or OW" are written US.
 *
 * Value bytes are those GDCM holds (big endian values already swapped), cut to the declared length. They are written
 * for every VR but OB, OD, OF, OL, OV, OW, SQ and UN, whose values a header reader does not decode; those carry n = 0.
 */
#ifndef MIDRC_GDCM_WALK_H
#define MIDRC_GDCM_WALK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility: only these functions are exported. */
#define MIDRC_WALK_EXPORT __attribute__((visibility("default")))

#define MIDRC_WALK_ABI_VERSION 2

/* Status codes of midrc_gdcm_walk. */
#define MIDRC_WALK_OK 0
#define MIDRC_WALK_UNREADABLE 1      /* GDCM could not parse the file up to Pixel Data. */
#define MIDRC_WALK_BUFFER_TOO_SMALL 2 /* *written holds the size needed; call again with at least that much. */
#define MIDRC_WALK_OUT_OF_MEMORY 3
#define MIDRC_WALK_FAILED 4           /* GDCM threw while walking the header. */
#define MIDRC_WALK_BAD_ARGUMENT 5

/* The version of these functions and of the record stream they write (2: the walk takes a descriptor, not a path);
 * the caller refuses a library whose version it does not know. */
MIDRC_WALK_EXPORT int32_t midrc_gdcm_walk_abi_version(void);

/*
 * Reads the file open for reading on descriptor fd up to, not including, Pixel Data (7FE0,0010) and writes its header's
 * record stream into buffer. The file is read with pread from its start, so the descriptor's position does not matter
 * and is left as it was; the caller keeps and closes the descriptor (it opened the file once for its own checks).
 * On MIDRC_WALK_OK, *written is the stream's length. On MIDRC_WALK_BUFFER_TOO_SMALL, *written is the length the stream
 * needs and the buffer's content is unspecified.
 */
MIDRC_WALK_EXPORT int32_t midrc_gdcm_walk(intptr_t fd, uint8_t *buffer, uint64_t capacity, uint64_t *written);

/*
 * Copies the public dictionary's keyword of tag (group << 16 | element), without a terminating zero, into buffer.
 * Returns the keyword's length (0 when the tag has none), which may exceed capacity (then nothing is copied), or -1
 * on failure.
 */
MIDRC_WALK_EXPORT int32_t midrc_gdcm_keyword(uint32_t tag, char *buffer, int32_t capacity);

#ifdef __cplusplus
}
#endif

#endif
