#!/usr/bin/env bash
# Command-line behaviour of `ginv theory`.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh

check rho_2_is_one_over_pi grep -q '"rho":	0.3183098861837906' <($GINV theory rho --depth 2 --json -)
check rho_table_has_depths_1_to_5 test "$($GINV theory rho --depth 5 --table | wc -l)" = 5
check g_of_pi_is_pi_over_2 grep -q '= 1.5707963267948966' <($GINV theory g --theta 3.141592653589793)
printf '1 0 0\n' > $TMP/x0.txt
printf '1 0 0\n' > $TMP/x.txt
check h_vanishes_at_x0 grep -q '||h|| = 0$' <($GINV theory h --depth 3 --x $TMP/x.txt --x0 $TMP/x0.txt)
printf '1 0\n' > $TMP/x2.txt
expect_error h_needs_equal_lengths 4 "holds 3 values; --x holds 2" -- $GINV theory h --depth 3 --x $TMP/x2.txt --x0 $TMP/x0.txt
expect_error theta_out_of_range 2 "out of range" -- $GINV theory g --theta 4
expect_error rho_needs_depth 2 "--depth is required" -- $GINV theory rho
expect_error unknown_theory_subcommand 2 "expected g, rho or h" -- $GINV theory q
echo done
