// ext2 on QEMU's disks, judged by the host's tools: files that mke2fs -d put in an image (0, 1,
// 4095, 4096, 4097 bytes, 1 MiB, a sparse 64 MiB file reaching triple indirect blocks, deep
// directories, long names, fast and slow symbolic links) read back in the kernel with the host's
// cksum; what the kernel writes, appends, truncates, renames, links and removes is clean for
// e2fsck -fn after umount (and after poweroff, and after a writer is killed mid-way) and reads
// back with debugfs byte for byte; a full
// disk is ENOSPC and stays clean; corrupt images give errors and dmesg lines, never a panic;
// writeback after five seconds, drop_caches, /proc/meminfo, EBUSY for a busy mount or a claimed
// disk, mapfile on an ext2 file. Every scenario ends with memcheck: ok.
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class Ext2Tests(ITestOutputHelper output) : KernelTest(output)
{
    private const int MiB = 1 << 20;
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(90);

    private static (int code, string output) Host(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o + err.Result);
    }

    private static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "ext2-qemu-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    // An ext2 image of sizeMiB made by the host's mke2fs from dir (null: empty).
    private static byte[] MakeImage(string? dir, int sizeMiB, int blockSize, string extra = "")
    {
        string image = Path.Combine(Path.GetTempPath(), "ext2-" + Guid.NewGuid().ToString("N") + ".img");
        try
        {
            var args = new List<string> { "-q", "-F", "-t", "ext2", "-b", blockSize.ToString() };
            args.AddRange(extra.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (dir != null) { args.Add("-d"); args.Add(dir); }
            args.Add(image);
            args.Add(sizeMiB + "M");
            var (code, o) = Host("mke2fs", args.ToArray());
            Assert.True(code == 0, "mke2fs: " + o);
            return File.ReadAllBytes(image);
        }
        finally { File.Delete(image); }
    }

    private static string Cksum(string file)
    {
        string[] parts = Host("cksum", file).output.Trim().Split(' ');
        return parts[0] + " " + parts[1];
    }

    private static string CksumOf(byte[] data)
    {
        string f = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(f, data);
            return Cksum(f);
        }
        finally { File.Delete(f); }
    }

    // e2fsck -fn on a disk image the machine used; the output when it is not clean.
    private static void AssertClean(string image)
    {
        var (code, o) = Host("e2fsck", "-fn", image);
        Assert.True(code == 0, "e2fsck -fn: exit " + code + "\n" + o);
    }

    private static byte[] Dump(string image, string path)
    {
        string outFile = Path.GetTempFileName();
        try
        {
            Host("debugfs", "-R", $"dump {path} {outFile}", image);
            return File.ReadAllBytes(outFile);
        }
        finally { File.Delete(outFile); }
    }

    private static async Task MemcheckOk(QemuMachine m)
    {
        string[] lines = Lines(await m.RunAsync("memcheck", TimeSpan.FromSeconds(30))).Where(l => l.StartsWith("memcheck")).ToArray();
        Assert.Equal(["memcheck: ok"], lines);
    }

    private static byte[] Random(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData(DiskBus.Ide, 1024, "sda")]
    [InlineData(DiskBus.Virtio, 4096, "vda")]
    public async Task Files_mke2fs_put_in_an_image_read_back_with_the_hosts_cksum(DiskBus bus, int blockSize, string dev)
    {
        string dir = TempDir();
        try
        {
            int[] sizes = [0, 1, 4095, 4096, 4097, MiB];
            foreach (int n in sizes) File.WriteAllBytes(Path.Combine(dir, "f" + n), Random(n, n + blockSize));
            // 64 MiB, sparse: data at the start, in the middle (double indirect) and at the end
            // (triple indirect with 1 KiB blocks).
            using (var f = new FileStream(Path.Combine(dir, "sparse64"), FileMode.Create))
            {
                f.SetLength(64 * MiB);
                foreach (long at in new long[] { 0, 20 * MiB + 12345, 64 * MiB - 70000 })
                {
                    f.Position = at;
                    f.Write(Random(65536, (int)(at % 1000)));
                }
            }
            string deep = dir;
            for (int i = 0; i < 24; i++) deep = Path.Combine(deep, "level" + i);
            Directory.CreateDirectory(deep);
            File.WriteAllText(Path.Combine(deep, "bottom"), "at the bottom\n");
            string longName = new string('n', 255);
            File.WriteAllText(Path.Combine(dir, longName), "long name\n");
            File.CreateSymbolicLink(Path.Combine(dir, "fast"), "f4097");
            string slowTarget = string.Concat(Enumerable.Repeat("./", 50)) + "f1";
            File.CreateSymbolicLink(Path.Combine(dir, "slow"), slowTarget);
            byte[] image = MakeImage(dir, 96, blockSize);
            QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(bus, image.Length, image)] });
            Assert.Equal("", await m.RunAsync($"mount /dev/{dev} /mnt"));
            foreach (int n in sizes)
                Assert.Equal($"{Cksum(Path.Combine(dir, "f" + n))} /mnt/f{n}", await m.RunAsync($"cksum /mnt/f{n}", Slow));
            Assert.Equal($"{Cksum(Path.Combine(dir, "sparse64"))} /mnt/sparse64", await m.RunAsync("cksum /mnt/sparse64", Slow));
            string deepPath = "/mnt/" + string.Join("/", Enumerable.Range(0, 24).Select(i => "level" + i)) + "/bottom";
            Assert.Equal("at the bottom", await m.RunAsync($"cat {deepPath}"));
            Assert.Equal("long name", await m.RunAsync($"cat /mnt/{longName}"));
            Assert.Equal($"{Cksum(Path.Combine(dir, "f4097"))} /mnt/fast", await m.RunAsync("cksum /mnt/fast"));
            Assert.Equal($"{Cksum(Path.Combine(dir, "f1"))} /mnt/slow", await m.RunAsync("cksum /mnt/slow"));
            string ls = await m.RunAsync("ls -l /mnt");
            Assert.Matches(@"(?m)^lrwxrwxrwx\s+1 \S+\s+\S+\s+5 .{12} fast -> f4097$", ls);
            Assert.Matches($@"(?m)^lrwxrwxrwx\s+1 \S+\s+\S+\s+{slowTarget.Length} .{{12}} slow -> {Regex.Escape(slowTarget)}$", ls);
            Assert.Matches(@"(?m)^-rw\S+\s+1 \S+\s+\S+\s+4097 .{12} f4097$", ls);
            Assert.Matches(@"(?m)^drwx------\s+2 root\s+root\s+\d+ .{12} lost\+found$", ls);
            // Real inode numbers: the root is 2, lost+found 11.
            Assert.Matches(@"(?m)^\s+11 lost\+found$", await m.RunAsync("ls -i /mnt"));
            Assert.Matches(@"Inode: 2\s", await m.RunAsync("stat /mnt"));
            string df = await m.RunAsync("df");
            Assert.StartsWith("Filesystem           1K-blocks      Used Available Use% Mounted on", df);
            Match k = Regex.Match(df, @"(?m)^/dev/" + dev + @"\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+% /mnt$");
            Assert.True(k.Success, df);
            // -m: the same figures in MiB, rounded as busybox rounds; -h: its human form.
            Match mb = Regex.Match(await m.RunAsync("df -m"), @"(?m)^/dev/" + dev + @"\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+% /mnt$");
            Assert.True(mb.Success);
            Assert.InRange(long.Parse(mb.Groups[1].Value), (long.Parse(k.Groups[1].Value) - 512) / 1024, (long.Parse(k.Groups[1].Value) + 1023) / 1024);
            string human = await m.RunAsync("df -h");
            Assert.StartsWith("Filesystem                Size      Used Available Use% Mounted on", human);
            Assert.Matches(@"(?m)^/dev/" + dev + @"\s+\d+(\.\d)?M\s+\d+(\.\d)?[KM]?\s+\d+(\.\d)?M\s+\d+% /mnt$", human);
            Assert.Equal("df: invalid option -- 'x'\nusage: df [-hkm]", (await m.RunAsync("df -x")).Replace("\r", ""));
            Assert.Equal("", await m.RunAsync("umount /mnt"));
            await MemcheckOk(m);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task Kernel_writes_are_clean_for_e2fsck_and_read_back_with_debugfs()
    {
        byte[] random = Random(3 * MiB, 77);
        byte[] image = MakeImage(null, 32, 1024);
        QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(DiskBus.Virtio, image.Length, image), new QemuDisk(DiskBus.Virtio, 3 * MiB, random)] });
        string[] steps =
        [
            "mount -t ext2 /dev/vda /mnt",
            "echo hello > /mnt/greeting",
            "echo world >> /mnt/greeting",
            "mkdir -p /mnt/a/b/c",
            "dd if=/dev/vdb of=/mnt/a/b/c/random bs=64k",
            "dd if=/dev/vdb of=/mnt/cut bs=4096 count=300",
            "mv /mnt/greeting /mnt/a/hello",
            "ln /mnt/a/hello /mnt/hard",
            "ln -s a/b/c/random /mnt/sym",
            "mkdir /mnt/gone",
            "echo x > /mnt/gone/x",
            "rm /mnt/gone/x",
            "rmdir /mnt/gone",
            "mv /mnt/a/b /mnt/b-moved",
            "touch /mnt/empty",
        ];
        foreach (string s in steps) Assert.DoesNotContain("can't", await m.RunAsync(s, Slow));
        // A writer killed in the middle (the file system's mutex makes it unkillable only while it
        // holds it): what it wrote stays, nothing is half-done.
        string job = await m.RunAsync("dd if=/dev/zero of=/mnt/killed bs=4k count=20000 &");
        string pid = Regex.Match(job, @"^\[\d+\] (\d+)").Groups[1].Value;
        await Task.Delay(300);
        await m.RunAsync("kill -9 " + pid);
        await m.RunAsync("wait", Slow);
        // Truncation through the shell: > empties a file, dd's count shortens nothing (notrunc).
        Assert.Equal("", await m.RunAsync("echo short > /mnt/cut"));
        Assert.Equal($"{CksumOf(random)} /mnt/b-moved/c/random", await m.RunAsync("cksum /mnt/b-moved/c/random", Slow));
        Assert.Contains("No such file or directory", await m.RunAsync("cat /mnt/sym"));   // it pointed into a/b
        Assert.Equal("hello\nworld", await m.RunAsync("cat /mnt/hard"));
        Assert.Contains("2 root", await m.RunAsync("ls -l /mnt/hard"));
        Assert.Equal("", await m.RunAsync("umount /mnt"));
        await MemcheckOk(m);
        string disk = m.DiskFiles[0];
        AssertClean(disk);
        Assert.Equal(random, Dump(disk, "/b-moved/c/random"));
        Assert.Equal("hello\nworld\n", Encoding.ASCII.GetString(Dump(disk, "/a/hello")));
        Assert.Equal("short\n", Encoding.ASCII.GetString(Dump(disk, "/cut")));
        Assert.Contains("Fast link dest: \"a/b/c/random\"", Host("debugfs", "-R", "stat /sym", disk).output);
        // Mounted again: everything is where it was (the broken link now dangles).
        Assert.Equal("", await m.RunAsync("mount /dev/vda /mnt"));
        Assert.Equal("a\nb-moved\ncut\nempty\nhard\nkilled\nlost+found\nsym", await m.RunAsync("ls /mnt"));
        Assert.Contains("No such file or directory", await m.RunAsync("cat /mnt/sym"));
        Assert.Equal("", await m.RunAsync("umount /dev/vda"));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task A_full_disk_is_enospc_and_e2fsck_stays_clean()
    {
        byte[] image = MakeImage(null, 2, 1024);
        QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(DiskBus.Ide, image.Length, image)] });
        Assert.Equal("", await m.RunAsync("mount /dev/sda /mnt"));
        string dd = await m.RunAsync("dd if=/dev/zero of=/mnt/fill bs=64k count=100", Slow);
        Assert.Contains("No space left on device", dd);
        Assert.Contains("sh: write error: No space left on device", await m.RunAsync("echo more >> /mnt/fill"));
        Assert.Contains("No space left on device", await m.RunAsync("mkdir /mnt/d1 /mnt/d2 /mnt/d3 /mnt/d4"));
        Assert.Matches(@"(?m)^/dev/sda\s+\d+\s+\d+\s+0\s+100% /mnt$", await m.RunAsync("df"));
        Assert.Equal("", await m.RunAsync("rm /mnt/fill"));
        Assert.Equal("", await m.RunAsync("echo fits again > /mnt/small"));
        Assert.Equal("", await m.RunAsync("umount /mnt"));
        await MemcheckOk(m);
        AssertClean(m.DiskFiles[0]);
        Assert.Equal("fits again\n", Encoding.ASCII.GetString(Dump(m.DiskFiles[0], "/small")));
    }

    // Bytes of an image patched in place.
    private static void Patch(byte[] image, long offset, params byte[] bytes) => Array.Copy(bytes, 0, image, offset, bytes.Length);

    private static long BlockOf(byte[] image, string path, int blockSize)
    {
        string f = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(f, image);
            string o = Host("debugfs", "-R", $"bmap {path} 0", f).output;
            return long.Parse(Regex.Match(o, @"(?m)^(\d+)\s*$").Groups[1].Value) * blockSize;
        }
        finally { File.Delete(f); }
    }

    [Fact]
    public async Task Corrupt_images_give_errors_and_dmesg_lines_never_a_panic()
    {
        string dir = TempDir();
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "dir"));
            File.WriteAllText(Path.Combine(dir, "dir/inside"), "inside\n");
            File.WriteAllBytes(Path.Combine(dir, "file"), Random(20000, 5));
            File.CreateSymbolicLink(Path.Combine(dir, "loop1"), "loop2");
            File.CreateSymbolicLink(Path.Combine(dir, "loop2"), "loop1");
            byte[] good = MakeImage(dir, 4, 1024);
            // vda: bad magic. vdb: an unknown incompatible feature (0x8000). vdc: a directory entry
            // running past its block, and a file whose first block number is out of range.
            // vdd: an unknown read-only-compatible feature (0x4000): mounted read-only.
            byte[] badMagic = (byte[])good.Clone();
            Patch(badMagic, 1024 + 56, 0x00, 0x00);
            byte[] incompat = (byte[])good.Clone();
            Patch(incompat, 1024 + 96 + 1, 0x80);
            byte[] broken = (byte[])good.Clone();
            long dirBlock = BlockOf(broken, "/dir", 1024);
            Patch(broken, dirBlock + 12 + 4, 0xF0, 0x03);        // ".." rec_len 1008 + 12 > 1024
            string f = Path.GetTempFileName();
            File.WriteAllBytes(f, broken);
            Host("debugfs", "-w", "-R", "sif /file block[0] 9999999", f);
            broken = File.ReadAllBytes(f);
            File.Delete(f);
            byte[] roCompat = (byte[])good.Clone();
            Patch(roCompat, 1024 + 100 + 1, 0x40);
            QemuMachine m = await BootAsync(new QemuOptions
            {
                Disks = [new QemuDisk(DiskBus.Virtio, good.Length, badMagic), new QemuDisk(DiskBus.Virtio, good.Length, incompat),
                         new QemuDisk(DiskBus.Virtio, good.Length, broken), new QemuDisk(DiskBus.Virtio, good.Length, roCompat)],
            });
            Assert.Equal("mount: mounting /dev/vda on /mnt failed: Invalid argument", await m.RunAsync("mount -t ext2 /dev/vda /mnt"));
            Assert.Equal("mount: mounting /dev/vda on /mnt failed: Invalid argument", await m.RunAsync("mount /dev/vda /mnt"));
            Assert.Equal("mount: mounting /dev/vdb on /mnt failed: Invalid argument", await m.RunAsync("mount /dev/vdb /mnt"));
            string dmesg = await m.RunAsync("dmesg");
            Assert.Contains("ext2: vda: bad magic number in superblock", dmesg);
            Assert.Contains("ext2: vdb: couldn't mount because of unsupported optional features (8000)", dmesg);
            Assert.Equal("", await m.RunAsync("mount /dev/vdc /mnt"));
            Assert.Contains("Structure needs cleaning", await m.RunAsync("ls /mnt/dir"));
            Assert.Contains("cat: read error: Input/output error", await m.RunAsync("cat /mnt/file"));   // as Linux: EIO
            Assert.Contains("Too many levels of symbolic links", await m.RunAsync("cat /mnt/loop1"));
            dmesg = await m.RunAsync("dmesg");
            Assert.Contains("ext2: vdc: error: bad entry in directory inode", dmesg);
            Assert.Contains("block number 9999999 out of range", dmesg);
            Assert.Equal("", await m.RunAsync("umount /mnt"));
            Assert.Equal("", await m.RunAsync("mount /dev/vdd /mnt"));
            Assert.Contains("ext2: vdd: couldn't mount RDWR because of unsupported optional features (4000): mounted read-only", await m.RunAsync("dmesg"));
            Assert.Equal("/dev/vdd on /mnt type ext2 (ro,noatime)", (await m.RunAsync("mount")).Split('\n').Last());
            Assert.Equal("inside", await m.RunAsync("cat /mnt/dir/inside"));
            Assert.Contains("Read-only file system", await m.RunAsync("echo no > /mnt/new"));
            Assert.Equal("", await m.RunAsync("umount /mnt"));
            // The rest of the system works on.
            Assert.Equal("", await m.RunAsync("echo fine > /tmp/ok"));
            Assert.Equal("fine", await m.RunAsync("cat /tmp/ok"));
            await MemcheckOk(m);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static long MemInfo(string text, string field) =>
        long.Parse(Regex.Match(text, $@"(?m)^{field}:\s+(\d+) kB$").Groups[1].Value);

    [Fact]
    public async Task Writeback_drop_caches_busy_mounts_and_mapfile()
    {
        byte[] image = MakeImage(null, 16, 4096);
        QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(DiskBus.Virtio, image.Length, image)] });
        Assert.Equal("", await m.RunAsync("mount /dev/vda /mnt"));
        Assert.Equal("mount: mounting /dev/vda on /tmp failed: Device or resource busy", await m.RunAsync("mount /dev/vda /tmp"));
        Assert.Contains("cat: can't open '/dev/vda': Device or resource busy", await m.RunAsync("cat /dev/vda"));
        Assert.Matches(@"(?m)^vda\s+254:0\s+0\s+16M\s+0 disk /mnt$", await m.RunAsync("lsblk"));
        Assert.Contains("100+0 records out", await m.RunAsync("dd if=/dev/zero of=/mnt/f bs=4096 count=100", Slow));
        string meminfo = await m.RunAsync("cat /proc/meminfo");
        Assert.Equal(400, MemInfo(meminfo, "Dirty"));
        Assert.True(MemInfo(meminfo, "Cached") >= 400, meminfo);
        // [flush] writes it back after about five seconds.
        long dirty = 400;
        var clock = Stopwatch.StartNew();
        while (dirty > 0 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(1000);
            dirty = MemInfo(await m.RunAsync("cat /proc/meminfo"), "Dirty");
        }
        Assert.Equal(0, dirty);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2), "written back at once: " + clock.Elapsed);
        Assert.True(MemInfo(await m.RunAsync("cat /proc/meminfo"), "Buffers") > 0);
        Assert.Equal("", await m.RunAsync("echo 1 > /proc/sys/vm/drop_caches"));
        meminfo = await m.RunAsync("cat /proc/meminfo");
        Assert.True(MemInfo(meminfo, "Cached") < 400, meminfo);
        Assert.Equal("", await m.RunAsync("echo 2 > /proc/sys/vm/drop_caches"));
        Assert.Equal(0, MemInfo(await m.RunAsync("cat /proc/meminfo"), "Buffers"));
        Assert.Contains("sh: write error: Invalid argument", await m.RunAsync("echo 4 > /proc/sys/vm/drop_caches"));
        Assert.Contains("drop_caches: 2", await m.RunAsync("dmesg"));
        // mapfile reads the file back in through page faults; umount is refused while it is mapped.
        string job = await m.RunAsync("mapfile /mnt/f 3 > /mf &");   // to a file: a console line could be split by an echo
        Assert.Matches(@"^\[\d+\] \d+", job);
        await Task.Delay(500);
        Assert.Contains("umount: can't unmount /mnt: Device or resource busy", await m.RunAsync("umount /mnt"));
        await m.RunAsync("wait", Slow);
        Assert.Equal("mapfile: /mnt/f: 100 pages", await m.RunAsync("cat /mf"));
        Assert.Equal("", await m.RunAsync("cd /mnt"));
        Assert.Equal("umount: can't unmount /mnt: Device or resource busy", await m.RunAsync("umount /mnt"));
        Assert.Equal("", await m.RunAsync("cd /"));
        Assert.Equal("", await m.RunAsync("umount /mnt"));
        Assert.Matches(@"(?m)^vda\s+254:0\s+0\s+16M\s+0 disk $", await m.RunAsync("lsblk"));
        await MemcheckOk(m);
        AssertClean(m.DiskFiles[0]);
    }

    [Fact]
    public async Task Poweroff_writes_everything_back_and_bench_fs_runs()
    {
        byte[] image = MakeImage(null, 48, 4096);
        QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(DiskBus.Ide, image.Length, image)] });
        Assert.Equal("", await m.RunAsync("mount /dev/sda /mnt"));
        string bench = await m.RunAsync("bench fs /mnt", Slow);
        Assert.Matches(@"bench fs: write 16 MiB: \d+\.\d{3} s, sync: \d+\.\d{3} s", bench);
        Assert.Matches(@"bench fs: cold read 16 MiB: \d+\.\d{3} s, warm read 16 MiB: \d+\.\d{3} s", bench);
        Assert.Equal("", await m.RunAsync("echo last words > /mnt/last"));
        Assert.Matches(@"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$", await m.RunAsync("date"));
        await MemcheckOk(m);
        await m.Send("poweroff\n");
        Assert.Equal(0, await m.WaitForExit(TimeSpan.FromSeconds(30)));
        AssertClean(m.DiskFiles[0]);
        Assert.Equal("last words\n", Encoding.ASCII.GetString(Dump(m.DiskFiles[0], "/last")));
        Assert.Contains("clean", Host("dumpe2fs", "-h", m.DiskFiles[0]).output);
    }

    // Reclaim of file pages (the reaper on an ext2 file): a container with a small page_limit reads
    // a 4 MiB file (its clean page-cache pages are dropped and read again later) and writes another
    // 4 MiB (its dirty pages are written back, then dropped). No swap: nothing is killed, the
    // usage stays near the limit, the bytes are right by the host's cksum, and e2fsck is clean.
    [Fact]
    public async Task A_container_over_its_limit_drops_clean_file_pages_and_writes_dirty_ones_back()
    {
        string dir = TempDir();
        try
        {
            byte[] big = Random(4 << 20, 77);
            File.WriteAllBytes(Path.Combine(dir, "big"), big);
            byte[] image = MakeImage(dir, 32, 4096);
            QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(DiskBus.Virtio, image.Length, image)] });
            Assert.Equal("", await m.RunAsync("mount /dev/vda /mnt"));
            const string c = "/config/containers/files";
            Assert.Equal("", await m.RunAsync($"mkdir {c}"));
            Assert.Equal("", await m.RunAsync($"echo 300 > {c}/page_limit"));
            Assert.Equal("", await m.RunAsync($"echo 1 > {c}/addtask"));
            string sum = await m.RunAsync("cksum /mnt/big", Slow);
            Assert.Equal(CksumOf(big) + " /mnt/big", sum);
            Assert.Contains("1024+0 records out", await m.RunAsync("dd if=/mnt/big of=/mnt/copy bs=4096", Slow));
            Assert.Equal("", await m.RunAsync($"echo 1 > {c}/rmtask"));
            Assert.True(long.Parse(await m.RunAsync($"cat {c}/pages_reclaimed")) >= 1000, "clean and dirty file pages were reclaimed");
            Assert.InRange(long.Parse(await m.RunAsync($"cat {c}/max_page_usage")), 300, 300 + 37 + 64);
            Assert.Equal("0", await m.RunAsync($"cat {c}/oom_kills"));
            Assert.Equal(CksumOf(big) + " /mnt/copy", await m.RunAsync("cksum /mnt/copy", Slow));
            await MemcheckOk(m);
            Assert.Equal("", await m.RunAsync("umount /mnt", Slow));
            Assert.Equal("", await m.RunAsync($"rmdir {c}"));
            await m.RunAsync("sync");
            string copy = Path.GetTempFileName();
            try
            {
                File.Copy(m.DiskFiles[0], copy, overwrite: true);
                AssertClean(copy);
                Assert.Equal(big, Dump(copy, "/copy"));
            }
            finally { File.Delete(copy); }
        }
        finally { Directory.Delete(dir, true); }
    }
}
