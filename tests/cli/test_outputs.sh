#!/usr/bin/env bash
# test_outputs.sh — the output policy (docs/architecture.md, "Outputs"):
# devices, FIFOs and /dev/stdout are written directly and stay what they
# are; a symbolic link's target is replaced and the link stays; '-' is
# stdout; a failed write exits 5; stale NAME.tmp.PID files of dead PIDs go;
# --out directories are replaced as a whole, keeping the user's other files;
# JSON stays valid with non-UTF-8 paths and messages escape them; a sweep
# store on a device is refused without creating files beside it.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/lib.sh
export GINV_NO_REEXEC=1

R=(theory rho --depth 3)
is_json() { jq empty "$1" 2>/dev/null; }
# a PID that no longer runs
sleep 0 &
wait $!
DEAD=$!
kill -0 $DEAD 2>/dev/null && DEAD=4194303

# ------------------------------------------------------------ devices, FIFOs
expect_ok json_to_dev_null -- $GINV "${R[@]}" --json /dev/null
check dev_null_stays_a_character_device test -c /dev/null
if mknod "$TMP/cdev" c 1 3 2>/dev/null; then
    expect_ok json_to_a_private_char_device -- $GINV "${R[@]}" --json "$TMP/cdev"
    check private_char_device_stays_one test -c "$TMP/cdev"
    expect_ok model_to_a_private_char_device -- $GINV net random --layers 2,8 --seed 1 -o "$TMP/cdev"
    check private_char_device_stays_one_after_a_model test -c "$TMP/cdev"
    check no_temporaries_beside_the_device test -z "$(ls -A "$TMP" | grep '^cdev.')"
else
    echo "SKIP json_to_a_private_char_device (mknod not permitted)"
fi
mkfifo "$TMP/fifo"
cat "$TMP/fifo" >"$TMP/fifo.out" &
reader=$!
expect_ok json_to_a_fifo -- timeout 10 $GINV "${R[@]}" --json "$TMP/fifo"
wait $reader
check fifo_stays_a_fifo test -p "$TMP/fifo"
check fifo_reader_got_the_json is_json "$TMP/fifo.out"
expect_error full_device_write_fails_with_exit_5 5 "cannot write '/dev/full'" -- $GINV "${R[@]}" --json /dev/full

# ------------------------------------------------------------ stdout
$GINV "${R[@]}" --json /dev/stdout >"$TMP/redir.txt"
check dev_stdout_redirected_keeps_text_then_json \
    bash -c "head -1 '$TMP/redir.txt' | grep -q '^rho_3 = ' && tail -n +2 '$TMP/redir.txt' | jq -e '.rho > 0' >/dev/null"
rm -f "$TMP/app.txt"
$GINV "${R[@]}" --json /dev/stdout >>"$TMP/app.txt"
$GINV "${R[@]}" --json /dev/stdout >>"$TMP/app.txt"
check dev_stdout_appended_twice test "$(grep -v '^rho_3 = ' "$TMP/app.txt" | jq -s length 2>/dev/null)/$(grep -c '^rho_3 = ' "$TMP/app.txt")" = 2/2
check json_dash_is_stdout bash -c "$GINV theory rho --depth 3 --json - | grep -v '^rho_3 = ' | jq -e '.command == \"theory rho\"' >/dev/null"
check model_dash_is_stdout bash -c "$GINV net random --layers 2,8 --seed 1 -o - 2>/dev/null | head -c 8 | wc -c | grep -q 8"
check model_dash_matches_the_file bash -c "$GINV net random --layers 2,8 --seed 1 -o '$TMP/m.st' >/dev/null &&
    $GINV net random --layers 2,8 --seed 1 -o - 2>/dev/null | head -c \$(stat -c %s '$TMP/m.st') | cmp -s - '$TMP/m.st'"

# ------------------------------------------------------------ symbolic links
echo '{}' >"$TMP/real.json"
chmod 600 "$TMP/real.json"
ln -s real.json "$TMP/link.json"
ln -s link.json "$TMP/link2.json"
expect_ok json_through_a_link -- $GINV "${R[@]}" --json "$TMP/link2.json"
check link_stays_a_link test -L "$TMP/link2.json" -a -L "$TMP/link.json"
check link_target_replaced bash -c "jq -e '.rho > 0' '$TMP/real.json' >/dev/null"
check link_target_keeps_its_mode test "$(stat -c %a "$TMP/real.json")" = 600
mkdir "$TMP/sub"
ln -s sub/new.json "$TMP/dangling.json"
expect_ok json_through_a_dangling_link -- $GINV "${R[@]}" --json "$TMP/dangling.json"
check dangling_link_stays_and_target_is_made bash -c "test -L '$TMP/dangling.json' && jq empty '$TMP/sub/new.json'"
ln -s nowhere/x.json "$TMP/broken.json"
expect_error link_into_a_missing_directory_fails 5 "broken.json" -- $GINV "${R[@]}" --json "$TMP/broken.json"
ln -s m.st "$TMP/mlink.st"
expect_ok model_through_a_link -- $GINV net random --layers 2,8 --seed 2 -o "$TMP/mlink.st"
check model_link_stays_a_link test -L "$TMP/mlink.st"
expect_ok info_reads_the_link_target -- $GINV info "$TMP/m.st"

# ------------------------------------------------------------ errors, temporaries
expect_error json_onto_a_directory_fails 5 "is a directory" -- $GINV "${R[@]}" --json "$TMP/sub"
expect_error json_into_a_missing_directory_fails 5 "cannot write" -- $GINV "${R[@]}" --json "$TMP/none/x.json"
touch "$TMP/o.json.tmp.$DEAD" "$TMP/o.json.tmp.1"
expect_ok json_with_stale_temporaries -- $GINV "${R[@]}" --json "$TMP/o.json"
check stale_temporary_of_a_dead_pid_removed test ! -e "$TMP/o.json.tmp.$DEAD"
check temporary_of_a_live_pid_kept test -e "$TMP/o.json.tmp.1"
rm -f "$TMP/o.json.tmp.1"

# ------------------------------------------------------------ output sets
VAE=models/fmnist-vae-k20.safetensors
cs=($GINV cs --model "$VAE" --data "fashion-mnist:test[0:2]" --m 20 --restarts 1 --iters 10
    --method csgm,lasso-dct --lasso-lambda 0.01 -q)
mkdir "$TMP/cs"
echo mine >"$TMP/cs/notes.txt"
expect_ok cs_into_a_directory_with_user_files -- "${cs[@]}" --seed 1 --out "$TMP/cs"
check cs_set_written test -f "$TMP/cs/grid.png" -a -f "$TMP/cs/csgm.npy" -a -f "$TMP/cs/lasso-dct.npy"
check cs_user_file_kept grep -q mine "$TMP/cs/notes.txt"
check cs_nothing_left_beside test -z "$(ls -A "$TMP" | grep '^\.cs\.')"
mkdir "$TMP/cs/keep"
touch "$TMP/cs/keep/x"
cp "$TMP/cs/y.npy" "$TMP/y1.npy"
expect_ok cs_into_a_directory_with_a_subdirectory -- "${cs[@]}" --seed 2 --out "$TMP/cs"
check cs_subdirectory_kept test -f "$TMP/cs/keep/x"
check cs_set_replaced_file_by_file bash -c "! cmp -s '$TMP/cs/y.npy' '$TMP/y1.npy'"
check cs_nothing_left_after_file_by_file test -z "$(ls -A "$TMP" | grep '^\.cs\.')"
# stale staging directories of dead PIDs go; an old directory without DIR is
# renamed back (then replaced: the user file in it survives)
mkdir "$TMP/.cs2.staging.$DEAD" "$TMP/.cs2.old.$DEAD"
echo mine >"$TMP/.cs2.old.$DEAD/notes.txt"
expect_ok cs_after_a_killed_commit -- "${cs[@]}" --seed 1 --out "$TMP/cs2"
check cs_old_directory_restored_then_replaced test -f "$TMP/cs2/notes.txt" -a -f "$TMP/cs2/grid.png"
check cs_stale_staging_and_old_removed test -z "$(ls -A "$TMP" | grep '^\.cs2\.')"
mkdir "$TMP/realout"
ln -s realout "$TMP/outlink"
expect_ok cs_out_through_a_link -- "${cs[@]}" --seed 1 --out "$TMP/outlink"
check cs_out_link_stays_a_link test -L "$TMP/outlink" -a -f "$TMP/realout/grid.png"
touch "$TMP/afile"
expect_error cs_out_onto_a_file_fails 5 "not a directory" -- "${cs[@]}" --seed 1 --out "$TMP/afile"
check cs_out_file_untouched test -f "$TMP/afile" -a ! -s "$TMP/afile"

# experiment recovery: table.md and results.json through the writer, as a set
expect_ok experiment_recovery_writes_its_set -- $GINV experiment recovery --k 2 --widths 20 --m 5,10 \
    --algos gd --trials 1 --iters 20 --out "$TMP/er" -q
check experiment_table_written grep -q '^| 20 | 1 | 2 | gd |' "$TMP/er/table.md"
check experiment_results_parse is_json "$TMP/er/results.json"
expect_error experiment_out_under_a_file_fails 5 "--out" -- $GINV experiment recovery --k 2 --widths 20 \
    --m 5,10 --algos gd --trials 1 --iters 20 --out "$TMP/afile/er" -q

# ------------------------------------------------------------ non-UTF-8 paths
bad=$(printf 'g\xff\xfe.st')
$GINV net random --layers 2,8 --seed 1 -o "$TMP/$bad" >/dev/null 2>&1
expect_ok sample_with_non_utf8_paths -- $GINV sample --allow-warnings --model "$TMP/$bad" --op gaussian --m 4 --noise 0.1 \
    --step 1e-3 --chains 2 --burn-in 2 --samples 4 --seed 1 -q --out "$TMP/$(printf 'o\xff')" --json "$TMP/u.json"
check json_with_non_utf8_paths_parses is_json "$TMP/u.json"
check non_utf8_bytes_become_replacement_characters \
    bash -c "jq -r .params.model '$TMP/u.json' | grep -q \$'g\\xef\\xbf\\xbd\\xef\\xbf\\xbd.st'"
cnf=$TMP/$(printf 'f\xff.cnf')
printf 'p cnf 3 2\n1 -2 0\n2 3 0\n' >"$cnf"
expect_ok reduce_a_file_with_a_non_utf8_name -- $GINV reduce sat "$cnf" --latent pm1 -o "$TMP/red.st" --json "$TMP/red.json"
check reduced_model_with_non_utf8_source_path_loads bash -c "$GINV info '$TMP/red.st' >/dev/null"
check reduce_json_with_non_utf8_path_parses is_json "$TMP/red.json"
err=$($GINV "${R[@]}" --json "$TMP/$(printf 'no\xffdir\x01')/x.json" 2>&1 >/dev/null)
escaped() { [[ $err == *'no\xFFdir\x01/x.json'* ]]; }
check message_escapes_non_utf8_and_control_bytes escaped
check message_is_valid_utf8_on_one_line bash -c "printf '%s' \"\$1\" | iconv -f UTF-8 -t UTF-8 >/dev/null && [[ \$(printf '%s\n' \"\$1\" | wc -l) == 1 ]]" _ "$err"

# ------------------------------------------------------------ sweep store
cat >"$TMP/spec.json" <<'JSON'
{"command": "recover", "fixed": {"op": "gaussian", "algo": "gd", "iters": 30, "layers": "4,30,100"},
 "grid": {"m": [10]}, "trials": 1, "seed": 5}
JSON
dev=$TMP/cdev
[[ -c $dev ]] || dev=$TMP/fifo
expect_error sweep_store_on_a_device_refused 5 "not a regular file" -- $GINV sweep "$TMP/spec.json" --db "$dev" -q
check sweep_store_nothing_made_beside_the_device test -z "$(ls -A "$TMP" | grep -E "^$(basename "$dev")[-.]")"
expect_error results_on_a_device_refused 5 "not a regular file" -- $GINV results "$dev"

echo done
