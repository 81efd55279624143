/*
 * Unit tests for lib/base/utf8.c: validity and code point counts.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "utf8.h"

/* ---- val_utf8 / utf8_chars ---------------------------------------- */

static int
utf8(const char *s)
{
	return utf8_valid(s, strlen(s));
}

Test(utf8, utf8_accepts_valid_text)
{
	cr_assert(utf8(""));
	cr_assert(utf8("plain ascii"));
	cr_assert(utf8("\xc2\x80"));                 /* U+0080, smallest 2-byte */
	cr_assert(utf8("caf\xc3\xa9"));              /* é */
	cr_assert(utf8("\xdf\xbf"));                 /* U+07FF */
	cr_assert(utf8("\xe0\xa0\x80"));             /* U+0800, smallest 3-byte */
	cr_assert(utf8("\xe2\x82\xac"));             /* € */
	cr_assert(utf8("\xed\x9f\xbf"));             /* U+D7FF, just below surrogates */
	cr_assert(utf8("\xee\x80\x80"));             /* U+E000, just above */
	cr_assert(utf8("\xef\xbf\xbf"));             /* U+FFFF */
	cr_assert(utf8("\xf0\x90\x80\x80"));         /* U+10000, smallest 4-byte */
	cr_assert(utf8("\xf0\x9f\x98\x80"));         /* U+1F600 */
	cr_assert(utf8("\xf4\x8f\xbf\xbf"));         /* U+10FFFF, the last */
}

Test(utf8, bad_utf8_rejects_overlong)
{
	cr_assert_not(utf8("\xc0\x80"));             /* NUL in 2 bytes */
	cr_assert_not(utf8("\xc0\xaf"));             /* '/' in 2 bytes */
	cr_assert_not(utf8("\xc1\xbf"));
	cr_assert_not(utf8("\xe0\x80\x80"));         /* NUL in 3 bytes */
	cr_assert_not(utf8("\xe0\x80\xaf"));
	cr_assert_not(utf8("\xe0\x9f\xbf"));         /* U+07FF in 3 bytes */
	cr_assert_not(utf8("\xf0\x80\x80\x80"));     /* NUL in 4 bytes */
	cr_assert_not(utf8("\xf0\x8f\xbf\xbf"));     /* U+FFFF in 4 bytes */
}

Test(utf8, bad_utf8_rejects_surrogates)
{
	cr_assert_not(utf8("\xed\xa0\x80"));         /* U+D800 */
	cr_assert_not(utf8("\xed\xaf\xbf"));         /* U+DBFF */
	cr_assert_not(utf8("\xed\xb0\x80"));         /* U+DC00 */
	cr_assert_not(utf8("\xed\xbf\xbf"));         /* U+DFFF */
	cr_assert_not(utf8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
}

Test(utf8, bad_utf8_rejects_beyond_u10ffff)
{
	cr_assert_not(utf8("\xf4\x90\x80\x80"));     /* U+110000 */
	cr_assert_not(utf8("\xf5\x80\x80\x80"));
	cr_assert_not(utf8("\xf7\xbf\xbf\xbf"));
	cr_assert_not(utf8("\xf8\x88\x80\x80\x80")); /* old 5-byte form */
	cr_assert_not(utf8("\xfc\x84\x80\x80\x80\x80"));
}

Test(utf8, bad_utf8_rejects_truncated_sequences)
{
	cr_assert_not(utf8("\xc3"));
	cr_assert_not(utf8("abc\xc3"));
	cr_assert_not(utf8("\xe2\x82"));
	cr_assert_not(utf8("\xe2"));
	cr_assert_not(utf8("\xf0\x9f\x98"));
	cr_assert_not(utf8("\xf0\x9f"));
	cr_assert_not(utf8("\xc3" "a"));             /* continuation replaced */
	cr_assert_not(utf8("\xe2\x82" "a"));
	cr_assert_not(utf8("\xf0\x9f\x98" "a"));
}

Test(utf8, bad_utf8_rejects_truncated_by_length)
{
	/* Valid bytes, but n cuts the last sequence. */
	cr_assert_not(utf8_valid("\xe2\x82\xac", 2));
	cr_assert_not(utf8_valid("a\xf0\x9f\x98\x80", 4));
	cr_assert(utf8_valid("a\xf0\x9f\x98\x80", 5));
}

Test(utf8, bad_utf8_rejects_stray_bytes)
{
	cr_assert_not(utf8("\x80"));                 /* lone continuation */
	cr_assert_not(utf8("a\xbf" "b"));
	cr_assert_not(utf8("\xfe"));
	cr_assert_not(utf8("\xff"));
	cr_assert_not(utf8("\xc3\xa9\xa9"));         /* one continuation too many */
}

Test(utf8, utf8_chars_counts_code_points)
{
	cr_assert_eq(utf8_chars("", 0), 0);
	cr_assert_eq(utf8_chars("abc", 3), 3);
	cr_assert_eq(utf8_chars("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10), 4);
}

/* ---- utf8_blank --------------------------------------------------------- */

static int
blank(const char *s)
{
	return utf8_blank(s, strlen(s));
}

Test(utf8, blank_is_nothing_but_white_space)
{
	cr_assert(blank(""));
	cr_assert(blank(" "));
	cr_assert(blank(" \t\n\r\v\f"));
	cr_assert(blank("\xc2\x85\xc2\xa0"));                 /* U+0085, U+00A0 */
	cr_assert(blank("\xe1\x9a\x80"));                      /* U+1680 */
	cr_assert(blank("\xe2\x80\x80\xe2\x80\x8a"));           /* U+2000, U+200A */
	cr_assert(blank("\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaf")); /* U+2028, U+2029, U+202F */
	cr_assert(blank("\xe2\x81\x9f\xe3\x80\x80"));           /* U+205F, U+3000 */
	cr_assert(utf8_blank("x", 0));
}

Test(utf8, bad_blank_text_in_it)
{
	cr_assert_not(blank("x"));
	cr_assert_not(blank("  x  "));
	cr_assert_not(blank(" \xc3\xa9"));                      /* é */
	cr_assert_not(blank("\xe2\x80\x8b"));                  /* U+200B, not White_Space */
	cr_assert_not(blank("\xe3\x80\x81"));                  /* U+3001, beside U+3000 */
	cr_assert_not(blank("\xf0\x9f\x98\x80"));              /* an emoji */
	cr_assert_not(blank("\x01"));
}
