# shellcheck shell=dash
# Guest-side check (doc/testing.md) for patch.diff: statfs() of the tmpfs
# at /tmp reports an fsid from the new uuid_to_fsid (inlined in
# shmem_statfs): 0x4c50424c5042 above the original's low 16 bits. busybox
# stat -f prints the fsid as one hex number, f_fsid.val[0] (the low 32 bits
# of the kernel's u64) first, then val[1].

fsid() { stat -f -c %i /tmp; }

# pad16 HEX: HEX with leading zeros to 16 digits
pad16() {
	local s=$1
	while [ ${#s} -lt 16 ]; do s=0$s; done
	echo "$s"
}

check_before() {
	ORIG_FSID=${ORIG_FSID:-$(fsid)}
	expect_lacks "tmpfs fsid is the original" 4c50424c "$ORIG_FSID"
	expect_output "fsid is stable" "$ORIG_FSID" fsid
}

check_patched() {
	local low
	low=$(pad16 "$ORIG_FSID" | cut -c5-8)
	expect_output "tmpfs fsid from the patched inline" "5042${low}4c50424c" fsid
}
