/*
 * Unit tests for db_nodes_parse() (lib/db/db.c): the nodes of a cluster that
 * db_host may list, in the order the workers prefer them.
 */
#include <criterion/criterion.h>

#include "db.h"

Test(db_nodes, one_host_takes_the_default_port)
{
	struct db_node n[DB_MAX_NODES];

	cr_assert_eq(db_nodes_parse("db1.example", 3306, n), 1);
	cr_assert_str_eq(n[0].host, "db1.example");
	cr_assert_eq(n[0].port, 3306);
}

Test(db_nodes, a_list_in_order_with_ports_spaces_and_ipv6)
{
	struct db_node n[DB_MAX_NODES];

	cr_assert_eq(db_nodes_parse(" 10.0.0.1 ,10.0.0.2:3307,\t[fd00::3]:3308 , [::1]", 3306, n), 4);
	cr_assert_str_eq(n[0].host, "10.0.0.1");
	cr_assert_eq(n[0].port, 3306);
	cr_assert_str_eq(n[1].host, "10.0.0.2");
	cr_assert_eq(n[1].port, 3307);
	cr_assert_str_eq(n[2].host, "fd00::3");
	cr_assert_eq(n[2].port, 3308);
	cr_assert_str_eq(n[3].host, "::1");
	cr_assert_eq(n[3].port, 3306);
}

Test(db_nodes, bad_lists_are_refused)
{
	static const char *bad[] = {
		"", " ", ",", "a,", ",a", "a,,b", "a:", "a:0", "a:65536", "a:12x", "a:-1",
		"[fd00::3", "[]:3306", "[::1]x", "a b", "a:3306 b",
		"1,2,3,4,5,6,7,8,9",
	};
	struct db_node n[DB_MAX_NODES];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(db_nodes_parse(bad[i], 3306, n), -1, "\"%s\" was accepted", bad[i]);
	cr_assert_eq(db_nodes_parse("1,2,3,4,5,6,7,8", 3306, n), 8);
}
