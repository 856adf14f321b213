/* genhive: build a large synthetic SYSTEM hive for the benchmark.
 *
 *   genhive [--services N] [--devices N] [--seed S] OUT
 *
 * Writes through hivex, as tests/mkhive does, but without the .reg text in
 * between: regf_write_empty makes the empty hive, hivex adds the keys and
 * values, hivex_commit writes it, regf_finish converts long values and sets
 * the sequence numbers.  Going through .reg text costs a parse and a
 * lookup of each key path; at 200,000 keys that is most of the time.
 *
 * The hive looks like the SYSTEM hive of a busy Windows server: Select,
 * MountedDevices, and two control sets (ControlSet001 and ControlSet002)
 * each holding
 *   Control\Session Manager\Environment    Path with a UNC entry (Q256211)
 *   Control\ComputerName, Control\Class\{GUID}\NNNN
 *   Services\...                         N services (--services), each with
 *                                        its values and some of Parameters,
 *                                        Security, Enum; among them EXIFS
 *                                        with Parameters\DriveLetter = "M"
 *                                        (Q317061), SMS_EXECUTIVE (Q195936)
 *                                        and two SMSPerfCountersFor... keys
 *                                        (Q267971)
 *   Enum\BUS\DEVICE\INSTANCE              N device instance keys (--devices),
 *                                        each with Device Parameters and
 *                                        LogConf subkeys
 * Every name and value comes from a fixed pseudo-random sequence (--seed),
 * so a given command line always builds the same keys and values (the
 * timestamps differ from run to run, as with mkhive).
 *
 * hivex scans a key's subkeys on each insertion, so no key gets more than
 * a few hundred children: devices are spread over buses and device IDs as
 * on real machines.
 *
 * Exit status: 0 done, 2 trouble (messages on standard error).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hivex.h>

#include "diag.h"
#include "regf.h"

#define MAXVALS 16

/* A key's values being assembled. */
struct vals {
	hive_set_value v[MAXVALS];
	size_t n;
	char *bufs[MAXVALS];
};

static hive_h *h;
static uint64_t rng;

static uint32_t
rnd(void)
{
	/* xorshift64*: fixed sequence for a given seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "genhive: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static hive_node_h
add(hive_node_h parent, const char *name)
{
	hive_node_h n = hivex_node_add_child(h, parent, name);

	if (n == 0)
		die("cannot add key '%s': %s", name, strerror(errno));
	return n;
}

static void
vals_put(struct vals *vs, const char *name, hive_type t, char *data,
    size_t len)
{
	if (vs->n == MAXVALS)
		die("too many values");
	vs->bufs[vs->n] = data;
	vs->v[vs->n].key = (char *)name;
	vs->v[vs->n].t = t;
	vs->v[vs->n].len = len;
	vs->v[vs->n].value = data;
	vs->n++;
}

/* UTF-16LE of the ASCII text S with a NUL (REG_SZ and REG_EXPAND_SZ), or
 * of a list of strings separated by '|' (REG_MULTI_SZ). */
static void
vals_str(struct vals *vs, const char *name, hive_type t, const char *s)
{
	size_t n = strlen(s), i, len = 2 * n + (t == hive_t_REG_MULTI_SZ ?
	    4 : 2);
	char *b = calloc(1, len);

	if (b == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		b[2 * i] = t == hive_t_REG_MULTI_SZ && s[i] == '|' ? 0 : s[i];
	vals_put(vs, name, t, b, len);
}

static void
vals_dword(struct vals *vs, const char *name, uint32_t x)
{
	char *b = malloc(4);

	if (b == NULL)
		die("out of memory");
	b[0] = (char)(x & 0xff);
	b[1] = (char)(x >> 8 & 0xff);
	b[2] = (char)(x >> 16 & 0xff);
	b[3] = (char)(x >> 24 & 0xff);
	vals_put(vs, name, hive_t_REG_DWORD, b, 4);
}

static void
vals_bin(struct vals *vs, const char *name, size_t len)
{
	char *b = malloc(len ? len : 1);
	size_t i;

	if (b == NULL)
		die("out of memory");
	for (i = 0; i < len; i++)
		b[i] = (char)(rnd() & 0xff);
	vals_put(vs, name, hive_t_REG_BINARY, b, len);
}

static void
vals_set(hive_node_h node, struct vals *vs)
{
	size_t i;

	if (hivex_node_set_values(h, node, vs->n, vs->v, 0) == -1)
		die("cannot set values: %s", strerror(errno));
	for (i = 0; i < vs->n; i++)
		free(vs->bufs[i]);
	vs->n = 0;
}

static const char *const words[] = {
	"Adaptive", "Audio", "Bluetooth", "Broker", "Cache", "Cluster",
	"Crypt", "Data", "Device", "Disk", "Display", "Event", "File",
	"Host", "Input", "Intel", "Kernel", "Link", "Logon", "Media",
	"Monitor", "Net", "Perf", "Policy", "Power", "Print", "Remote",
	"Scsi", "Secure", "Sensor", "Server", "Shell", "Smart", "Storage",
	"Sync", "Telemetry", "Time", "Update", "Usb", "Video", "Virtual",
	"Wmi", "Work", "Xbox",
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *
word(void)
{
	return words[rnd() % NWORDS];
}

static void
make_service(hive_node_h services, unsigned int i)
{
	char name[64], buf[512];
	struct vals vs = { .n = 0 };
	hive_node_h s, k;
	const char *w1 = word(), *w2 = word();

	snprintf(name, sizeof name, "%s%s%u", w1, w2, i);
	s = add(services, name);
	vals_dword(&vs, "Type", (rnd() & 1) ? 0x10 : 0x1);
	vals_dword(&vs, "Start", rnd() % 5);
	vals_dword(&vs, "ErrorControl", 1);
	snprintf(buf, sizeof buf, "%%SystemRoot%%\\System32\\drivers\\%s.sys",
	    name);
	vals_str(&vs, "ImagePath", hive_t_REG_EXPAND_SZ, buf);
	snprintf(buf, sizeof buf, "@%%SystemRoot%%\\system32\\%s.dll,-%u",
	    name, 100 + rnd() % 900);
	vals_str(&vs, "DisplayName", hive_t_REG_SZ, buf);
	snprintf(buf, sizeof buf, "The %s %s service provides %s and %s "
	    "support for %s components. If this service is stopped, %s "
	    "features will not work.", w1, w2, word(), word(), word(),
	    word());
	vals_str(&vs, "Description", hive_t_REG_SZ, buf);
	vals_str(&vs, "ObjectName", hive_t_REG_SZ, "LocalSystem");
	vals_str(&vs, "Group", hive_t_REG_SZ, "System Bus Extender");
	snprintf(buf, sizeof buf, "RpcSs|%s", word());
	vals_str(&vs, "DependOnService", hive_t_REG_MULTI_SZ, buf);
	vals_bin(&vs, "FailureActions", 20 + rnd() % 40);
	vals_set(s, &vs);
	if (rnd() % 2 == 0) {
		k = add(s, "Parameters");
		snprintf(buf, sizeof buf, "%%SystemRoot%%\\System32\\%s.dll",
		    name);
		vals_str(&vs, "ServiceDll", hive_t_REG_EXPAND_SZ, buf);
		vals_dword(&vs, "ServiceDllUnloadOnStop", 1);
		vals_set(k, &vs);
	}
	if (rnd() % 3 == 0) {
		k = add(s, "Security");
		vals_bin(&vs, "Security", 120 + rnd() % 60);
		vals_set(k, &vs);
	}
	if (rnd() % 4 == 0) {
		k = add(s, "Enum");
		snprintf(buf, sizeof buf, "ROOT\\LEGACY_%s\\0000", name);
		vals_str(&vs, "0", hive_t_REG_SZ, buf);
		vals_dword(&vs, "Count", 1);
		vals_dword(&vs, "NextInstance", 1);
		vals_set(k, &vs);
	}
}

/* The keys the shipped remedies look for. */
static void
make_special_services(hive_node_h services)
{
	static const char *const sms[] = {
		"SMSPerfCountersForC:_SMS_BIN_I386_SMSPERF.DLL",
		"SMSPerfCountersforC:_SMSLOGON_I386_SMSPERF.DLL",
	};
	struct vals vs = { .n = 0 };
	hive_node_h s, k;
	size_t i;

	for (i = 0; i < 2; i++) {
		s = add(services, sms[i]);
		k = add(s, "Performance");
		vals_str(&vs, "Library", hive_t_REG_SZ,
		    "C:\\SMS\\bin\\i386\\SMSPERF.dll");
		vals_str(&vs, "Open", hive_t_REG_SZ, "OpenPerfData");
		vals_str(&vs, "Collect", hive_t_REG_SZ, "CollectPerfData");
		vals_str(&vs, "Close", hive_t_REG_SZ, "ClosePerfData");
		vals_set(k, &vs);
	}
	s = add(services, "EXIFS");
	vals_dword(&vs, "Type", 2);
	vals_dword(&vs, "Start", 1);
	vals_set(s, &vs);
	k = add(s, "Parameters");
	vals_str(&vs, "DriveLetter", hive_t_REG_SZ, "M");
	vals_set(k, &vs);
	s = add(services, "SMS_EXECUTIVE");
	vals_dword(&vs, "Type", 0x10);
	vals_dword(&vs, "Start", 2);
	vals_str(&vs, "ImagePath", hive_t_REG_EXPAND_SZ,
	    "C:\\SMS\\bin\\i386\\smsexec.exe");
	vals_set(s, &vs);
}

static const char *const buses[] = {
	"ACPI", "BTHENUM", "DISPLAY", "HDAUDIO", "HID", "IDE", "MONITOR",
	"PCI", "ROOT", "SCSI", "STORAGE", "SW", "SWD", "UMB", "USB",
	"USBSTOR",
};
#define NBUSES (sizeof buses / sizeof buses[0])

static void
make_device(hive_node_h parent, const char *bus, const char *devid,
    unsigned int inst)
{
	char name[64], buf[512];
	struct vals vs = { .n = 0 };
	hive_node_h n, k;

	snprintf(name, sizeof name, "%u&%08x&0&%04u", inst % 8, rnd(), inst);
	n = add(parent, name);
	snprintf(buf, sizeof buf, "%s %s", word(), bus);
	vals_str(&vs, "DeviceDesc", hive_t_REG_SZ, buf);
	snprintf(buf, sizeof buf, "%s\\%.21s", bus, devid);
	vals_str(&vs, "HardwareID", hive_t_REG_MULTI_SZ, buf);
	vals_str(&vs, "Service", hive_t_REG_SZ, word());
	vals_str(&vs, "ClassGUID", hive_t_REG_SZ,
	    "{4d36e97d-e325-11ce-bfc1-08002be10318}");
	snprintf(buf, sizeof buf, "{4d36e97d-e325-11ce-bfc1-08002be10318}"
	    "\\%04u", rnd() % 200);
	vals_str(&vs, "Driver", hive_t_REG_SZ, buf);
	vals_dword(&vs, "ConfigFlags", 0);
	vals_set(n, &vs);
	if (rnd() % 4 == 0) {
		k = add(n, "Device Parameters");
		vals_dword(&vs, "EnhancedPowerManagementEnabled", 1);
		vals_set(k, &vs);
	}
}

static void
make_control_set(hive_node_h root, const char *name, unsigned int nsvc,
    unsigned int ndev)
{
	struct vals vs = { .n = 0 };
	hive_node_h cs, ctl, k, svc, en;
	unsigned int i, b;
	char buf[256];

	cs = add(root, name);
	ctl = add(cs, "Control");
	vals_str(&vs, "SystemBootDevice", hive_t_REG_SZ,
	    "multi(0)disk(0)rdisk(0)partition(1)");
	vals_dword(&vs, "WaitToKillServiceTimeout", 20000);
	vals_set(ctl, &vs);
	k = add(add(ctl, "ComputerName"), "ComputerName");
	vals_str(&vs, "ComputerName", hive_t_REG_SZ, "KBFIX-BENCH");
	vals_set(k, &vs);
	k = add(add(ctl, "Session Manager"), "Environment");
	vals_str(&vs, "Path", hive_t_REG_EXPAND_SZ, "%SystemRoot%\\system32;"
	    "%SystemRoot%;\\\\server\\share\\bin;C:\\Tools");
	vals_str(&vs, "PROCESSOR_ARCHITECTURE", hive_t_REG_SZ, "x86");
	vals_str(&vs, "OS", hive_t_REG_SZ, "Windows_NT");
	vals_str(&vs, "ComSpec", hive_t_REG_EXPAND_SZ,
	    "%SystemRoot%\\system32\\cmd.exe");
	vals_set(k, &vs);
	k = add(add(ctl, "Class"), "{4d36e97d-e325-11ce-bfc1-08002be10318}");
	for (i = 0; i < 200; i++) {
		hive_node_h c;

		snprintf(buf, sizeof buf, "%04u", i);
		c = add(k, buf);
		vals_str(&vs, "DriverDesc", hive_t_REG_SZ, "System device");
		vals_str(&vs, "ProviderName", hive_t_REG_SZ, "Microsoft");
		vals_str(&vs, "InfPath", hive_t_REG_SZ, "machine.inf");
		vals_set(c, &vs);
	}

	svc = add(cs, "Services");
	make_special_services(svc);
	for (i = 0; i < nsvc; i++)
		make_service(svc, i);

	/* Devices: per bus, device IDs of up to 25 instances each. */
	en = add(cs, "Enum");
	for (b = 0; b < NBUSES; b++) {
		hive_node_h bus = add(en, buses[b]);
		unsigned int want = ndev / NBUSES + (b < ndev % NBUSES);
		unsigned int d = 0;

		while (want > 0) {
			unsigned int ninst = 1 + rnd() % 25, j;
			hive_node_h dev;

			if (ninst > want)
				ninst = want;
			snprintf(buf, sizeof buf, "VEN_%04X&DEV_%04X&SUBSYS_"
			    "%08X&%u", rnd() & 0xffff, rnd() & 0xffff, rnd(),
			    d++);
			dev = add(bus, buf);
			for (j = 0; j < ninst; j++)
				make_device(dev, buses[b], buf, j);
			want -= ninst;
		}
	}
}

/* ------------------------------------------------------------ packing */

/* hivex never reuses the space it frees (1.3.23): every key added
 * reallocates its parent's whole subkey list and leaves the old one as a
 * free cell, and a cell that does not fit the current 4 KB bin leaves the
 * rest of the bin free.  3,000 services then leave 36 MB of dead lists
 * per control set, and a 230 MB hive would be more than half free space,
 * which no real hive is.  So the committed hive is packed: every cell
 * reachable from the root is copied, in depth-first order, into new bins,
 * and the offsets that point at it are rewritten.  Only what hivex wrote
 * here has to be handled: nk, lf/lh/li/ri lists, value lists, vk, data
 * cells of at most 16344 bytes (no big data yet: regf_finish comes
 * after), sk records, no class names, no volatile keys. */

struct packer {
	const unsigned char *in;	/* the committed file */
	size_t inlen;
	unsigned char *out;		/* the new file, base block first */
	size_t outlen, cap;
	size_t bin, binend;		/* the bin being filled (file offsets) */
	size_t pos;
	uint32_t sk_old[64], sk_new[64];	/* sk records copied so far */
	size_t nsk;
};

static uint32_t
rd32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
wr32(unsigned char *p, uint32_t x)
{
	p[0] = (unsigned char)(x & 0xff);
	p[1] = (unsigned char)(x >> 8 & 0xff);
	p[2] = (unsigned char)(x >> 16 & 0xff);
	p[3] = (unsigned char)(x >> 24);
}

/* The cell at OFF (relative to the first bin) in the input: its data and
 * total size. */
static const unsigned char *
in_cell(struct packer *pk, uint32_t off, size_t *size)
{
	size_t fo = 4096 + (size_t)off;
	int32_t sz;

	if (off == 0xFFFFFFFFu || fo + 4 > pk->inlen)
		die("pack: bad cell offset 0x%x", off);
	sz = (int32_t)rd32(pk->in + fo);
	if (sz >= 0 || fo + (size_t)-sz > pk->inlen)
		die("pack: cell at 0x%x is not allocated", off);
	*size = (size_t)-sz;
	return pk->in + fo;
}

static void
close_bin(struct packer *pk)
{
	if (pk->bin == 0)
		return;
	/* The rest of the bin is one free cell. */
	if (pk->pos < pk->binend)
		wr32(pk->out + pk->pos, (uint32_t)(pk->binend - pk->pos));
	pk->bin = 0;
}

/* Room for a cell of SIZE bytes; returns its file offset in OUT. */
static size_t
out_alloc(struct packer *pk, size_t size)
{
	size_t fo;

	if (pk->bin == 0 || pk->pos + size > pk->binend) {
		size_t bsize = (size + 32 + 4095) & ~(size_t)4095;

		close_bin(pk);
		if (pk->outlen + bsize > pk->cap) {
			pk->cap = (pk->outlen + bsize) * 2;
			pk->out = realloc(pk->out, pk->cap);
			if (pk->out == NULL)
				die("out of memory");
		}
		pk->bin = pk->outlen;
		pk->binend = pk->bin + bsize;
		memset(pk->out + pk->bin, 0, bsize);
		memcpy(pk->out + pk->bin, "hbin", 4);
		wr32(pk->out + pk->bin + 4, (uint32_t)(pk->bin - 4096));
		wr32(pk->out + pk->bin + 8, (uint32_t)bsize);
		if (pk->bin == 4096)	/* the first bin keeps its time */
			memcpy(pk->out + pk->bin + 20, pk->in + 4096 + 20, 8);
		pk->pos = pk->bin + 32;
		pk->outlen = pk->binend;
	}
	fo = pk->pos;
	pk->pos += size;
	return fo;
}

/* Copy the cell at OFF as it is; returns its new offset. */
static uint32_t
copy_cell(struct packer *pk, uint32_t off)
{
	size_t size;
	const unsigned char *c = in_cell(pk, off, &size);
	size_t fo = out_alloc(pk, size);

	memcpy(pk->out + fo, c, size);
	return (uint32_t)(fo - 4096);
}

static uint32_t
copy_sk(struct packer *pk, uint32_t off)
{
	size_t i;

	for (i = 0; i < pk->nsk; i++)
		if (pk->sk_old[i] == off)
			return pk->sk_new[i];
	if (pk->nsk == 64)
		die("pack: too many security records");
	pk->sk_old[pk->nsk] = off;
	pk->sk_new[pk->nsk] = copy_cell(pk, off);
	return pk->sk_new[pk->nsk++];
}

static uint32_t copy_nk(struct packer *pk, uint32_t off, uint32_t parent);

/* A subkey list (lf, lh, li or ri) of the key now at PARENT. */
static uint32_t
copy_list(struct packer *pk, uint32_t off, uint32_t parent)
{
	size_t size;
	const unsigned char *c = in_cell(pk, off, &size);
	unsigned int n = c[6] | c[7] << 8, i, step;
	uint32_t no = copy_cell(pk, off);

	if (memcmp(c + 4, "lf", 2) == 0 || memcmp(c + 4, "lh", 2) == 0)
		step = 8;
	else if (memcmp(c + 4, "li", 2) == 0 || memcmp(c + 4, "ri", 2) == 0)
		step = 4;
	else
		die("pack: unknown subkey list at 0x%x", off);
	for (i = 0; i < n; i++) {
		/* Re-read: the output may have moved. */
		uint32_t child = rd32(pk->in + 4096 + off + 8 + i * step);
		uint32_t nc = c[5] == 'i' && c[4] == 'r' ?
		    copy_list(pk, child, parent) : copy_nk(pk, child, parent);

		wr32(pk->out + 4096 + no + 8 + i * step, nc);
	}
	return no;
}

static uint32_t
copy_vk(struct packer *pk, uint32_t off)
{
	uint32_t no = copy_cell(pk, off);
	const unsigned char *vk = pk->in + 4096 + off + 4;
	uint32_t len = rd32(vk + 4);

	if (memcmp(vk, "vk", 2) != 0)
		die("pack: no vk record at 0x%x", off);
	if (!(len & 0x80000000u) && len > 0) {
		uint32_t nd;

		if (len > REGF_BIGDATA_THRESHOLD)
			die("pack: value of %u bytes", len);
		nd = copy_cell(pk, rd32(vk + 8));
		wr32(pk->out + 4096 + no + 4 + 8, nd);
	}
	return no;
}

static uint32_t
copy_nk(struct packer *pk, uint32_t off, uint32_t parent)
{
	uint32_t no = copy_cell(pk, off), x, nv, i;
	const unsigned char *nk = pk->in + 4096 + off + 4;

	if (memcmp(nk, "nk", 2) != 0)
		die("pack: no nk record at 0x%x", off);
	if (parent != 0xFFFFFFFFu)
		wr32(pk->out + 4096 + no + 4 + 16, parent);
	if (rd32(nk + 24) != 0 || rd32(nk + 48) != 0xFFFFFFFFu)
		die("pack: volatile keys or class names at 0x%x", off);
	x = copy_sk(pk, rd32(nk + 44));
	wr32(pk->out + 4096 + no + 4 + 44, x);
	nv = rd32(nk + 36);
	if (nv > 0) {
		uint32_t vl = rd32(nk + 40), nvl = copy_cell(pk, vl);

		wr32(pk->out + 4096 + no + 4 + 40, nvl);
		for (i = 0; i < nv; i++) {
			x = copy_vk(pk, rd32(pk->in + 4096 + vl + 4 + 4 * i));
			wr32(pk->out + 4096 + nvl + 4 + 4 * i, x);
		}
	}
	if (rd32(nk + 20) > 0) {
		x = copy_list(pk, rd32(nk + 28), no);
		wr32(pk->out + 4096 + no + 4 + 28, x);
	}
	return no;
}

static void
pack(const char *path)
{
	struct packer pk = { .in = NULL };
	FILE *f = fopen(path, "rb");
	long len;
	uint32_t root;
	size_t i;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 4096)
		die("cannot read '%s'", path);
	rewind(f);
	pk.inlen = (size_t)len;
	if ((pk.in = malloc(pk.inlen)) == NULL)
		die("out of memory");
	if (fread((void *)pk.in, 1, pk.inlen, f) != pk.inlen)
		die("cannot read '%s'", path);
	fclose(f);
	pk.cap = pk.inlen / 2 + 8192;
	if ((pk.out = malloc(pk.cap)) == NULL)
		die("out of memory");
	memcpy(pk.out, pk.in, 4096);
	pk.outlen = 4096;
	root = copy_nk(&pk, rd32(pk.in + 36), 0xFFFFFFFFu);
	close_bin(&pk);
	/* Chain the security records as they were. */
	for (i = 0; i < pk.nsk; i++) {
		unsigned char *sk = pk.out + 4096 + pk.sk_new[i] + 4;
		size_t j, k;

		for (k = 4; k <= 8; k += 4) {
			uint32_t link = rd32(pk.in + 4096 + pk.sk_old[i] + 4 + k);

			for (j = 0; j < pk.nsk && pk.sk_old[j] != link; j++)
				;
			if (j == pk.nsk)
				die("pack: security record outside the tree");
			wr32(sk + k, pk.sk_new[j]);
		}
	}
	wr32(pk.out + 36, root);
	wr32(pk.out + 40, (uint32_t)(pk.outlen - 4096));
	wr32(pk.out + 508, regf_checksum(pk.out));
	f = fopen(path, "wb");
	if (f == NULL || fwrite(pk.out, 1, pk.outlen, f) != pk.outlen ||
	    fclose(f) != 0)
		die("cannot write '%s'", path);
	free((void *)pk.in);
	free(pk.out);
}

static void
usage(void)
{
	fprintf(stderr, "usage: genhive [--services N] [--devices N] "
	    "[--seed S] OUT\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned long nsvc = 1000, ndev = 20000, seed = 1;
	struct vals vs = { .n = 0 };
	hive_node_h root, k;
	struct diag d;
	char *tmp = NULL, *dir = NULL, *d1, *d2;
	const char *out;
	int i = 1;

	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		char *end;
		unsigned long x;

		if (i + 1 >= argc)
			usage();
		x = strtoul(argv[i + 1], &end, 10);
		if (*argv[i + 1] == '\0' || *end != '\0')
			usage();
		if (strcmp(argv[i], "--services") == 0)
			nsvc = x;
		else if (strcmp(argv[i], "--devices") == 0)
			ndev = x;
		else if (strcmp(argv[i], "--seed") == 0)
			seed = x;
		else
			usage();
		i += 2;
	}
	if (argc - i != 1)
		usage();
	out = argv[i];
	rng = 0x9E3779B97F4A7C15ULL ^ seed;

	/* The work file has OUT's name, in a folder beside OUT: the base
	 * block records the name. */
	d1 = strdup(out);
	d2 = strdup(out);
	if (d1 == NULL || d2 == NULL ||
	    asprintf(&dir, "%s/.genhive-XXXXXX", dirname(d1)) < 0)
		die("out of memory");
	if (mkdtemp(dir) == NULL)
		die("cannot create '%s': %s", dir, strerror(errno));
	if (asprintf(&tmp, "%s/%s", dir, basename(d2)) < 0)
		die("out of memory");

	diag_init(&d);
	if (regf_write_empty(tmp, "$$$PROTO.HIV", &d) == -1)
		goto fail;
	h = hivex_open(tmp, HIVEX_OPEN_WRITE);
	if (h == NULL) {
		diag_error(&d, NULL, 0, "cannot open '%s': %s", tmp,
		    strerror(errno));
		goto fail;
	}
	root = hivex_root(h);
	k = add(root, "Select");
	vals_dword(&vs, "Current", 1);
	vals_dword(&vs, "Default", 1);
	vals_dword(&vs, "LastKnownGood", 2);
	vals_dword(&vs, "Failed", 0);
	vals_set(k, &vs);
	k = add(root, "MountedDevices");
	vals_bin(&vs, "\\DosDevices\\C:", 12);
	vals_bin(&vs, "\\DosDevices\\D:", 12);
	vals_set(k, &vs);
	make_control_set(root, "ControlSet001", (unsigned int)nsvc,
	    (unsigned int)ndev);
	make_control_set(root, "ControlSet002", (unsigned int)nsvc,
	    (unsigned int)ndev);
	(void)add(root, "Setup");
	if (hivex_commit(h, tmp, 0) == -1) {
		diag_error(&d, NULL, 0, "cannot write '%s': %s", tmp,
		    strerror(errno));
		goto fail;
	}
	hivex_close(h);
	h = NULL;
	pack(tmp);
	if (regf_finish(tmp, 1, 0, &d) == -1)
		goto fail;
	if (rename(tmp, out) == -1) {
		diag_error(&d, NULL, 0, "cannot rename '%s' to '%s': %s", tmp,
		    out, strerror(errno));
		goto fail;
	}
	rmdir(dir);
	return 0;
fail:
	if (h != NULL)
		hivex_close(h);
	unlink(tmp);
	rmdir(dir);
	diag_print(&d, stderr);
	diag_free(&d);
	return 2;
}
