// Disks end to end, against QEMU's own devices: data the host put on an image reads back in the
// kernel with the host's cksum, and what the kernel writes (whole sectors, odd offsets, partial
// sectors) is on the host's image byte for byte — on IDE (bus-master DMA) and on virtio-blk; every
// IDE position QEMU's pc machine offers, several virtio disks, no disk at all, two tasks doing I/O
// on two devices at once, the ends of a device, LBA48 beyond 128 GiB, and dd's bad operands in
// busybox's words. Every scenario ends with `memcheck: ok`.
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class BlockTests(ITestOutputHelper output) : KernelTest(output)
{
    private const int MiB = 1 << 20;
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);
    private static readonly Regex Copied = new(@"^\d+ bytes \([\d.]+[KMGT]?B\) copied, \d+\.\d{6} seconds, [\d.]+[KMGT]?B/s$");

    private static byte[] Random(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    // The host's cksum of a file: "CRC SIZE".
    private static async Task<string> HostCksum(string file)
    {
        var psi = new ProcessStartInfo("cksum") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(file);
        using Process p = Process.Start(psi)!;
        string line = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        string[] parts = line.Trim().Split(' ');
        return parts[0] + " " + parts[1];
    }

    private static async Task MemcheckOk(QemuMachine m)
    {
        string[] lines = Lines(await m.RunAsync("memcheck", TimeSpan.FromSeconds(30))).Where(l => l.StartsWith("memcheck")).ToArray();
        Assert.Equal(["memcheck: ok"], lines);
    }

    // dd's three status lines, checked for form; returns them.
    private static string[] DdReport(string output, string recordsIn, string recordsOut, long bytes)
    {
        string[] lines = Lines(output);
        Assert.True(lines.Length >= 3, output);
        string[] report = lines[^3..];
        Assert.Equal(recordsIn + " records in", report[0]);
        Assert.Equal(recordsOut + " records out", report[1]);
        Assert.Matches(Copied, report[2]);
        Assert.StartsWith(bytes + " bytes (", report[2]);
        return report;
    }

    private static byte[] ReadImage(string file, long offset, int count)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Position = offset;
        var data = new byte[count];
        f.ReadExactly(data);
        return data;
    }

    // The third case turns DMA off on the kernel command line (Linux's libata.dma=0): the same
    // bytes go by PIO, the path a disk falls back to when DMA cannot reach a page.
    [Theory]
    [InlineData(DiskBus.Ide, "sd", false)]
    [InlineData(DiskBus.Virtio, "vd", false)]
    [InlineData(DiskBus.Ide, "sd", true)]
    public async Task Host_data_reads_back_and_kernel_writes_reach_the_host_byte_for_byte(DiskBus bus, string prefix, bool pio)
    {
        byte[] content = Random(4 * MiB, 12);
        QemuDisk[] disks = [new QemuDisk(bus, 4 * MiB, content), new QemuDisk(bus, 8 * MiB)];
        QemuMachine m = await BootAsync(pio
            ? new QemuOptions { Mode = BootMode.Kernel, ExtraArgs = ["-append", "libata.dma=0"], Disks = disks }
            : new QemuOptions { Disks = disks });
        string a = "/dev/" + prefix + "a", b = "/dev/" + prefix + "b";
        Assert.Equal($"{await HostCksum(m.DiskFiles[0])} {a}", await m.RunAsync($"cksum {a}", Slow));
        DdReport(await m.RunAsync($"dd if={a} of={b} bs=64k", Slow), "64+0", "64+0", 4 * MiB);
        DdReport(await m.RunAsync($"dd if={a} of={b} bs=1000 skip=3 seek=4200 count=7"), "7+0", "7+0", 7000);
        Assert.Equal("", await m.RunAsync("echo hello disk > /f"));
        DdReport(await m.RunAsync($"dd if=/f of={b} bs=1 seek=8000001 conv=notrunc"), "11+0", "11+0", 11);
        Assert.Equal("", await m.RunAsync("sync"));
        // The host sees every byte: the copy, the odd-sized blocks, the partial sector around them.
        string image = m.DiskFiles[1];
        Assert.Equal(content, ReadImage(image, 0, 4 * MiB));
        Assert.Equal(content[3000..10000], ReadImage(image, 4200000, 7000));
        Assert.Equal(new byte[200], ReadImage(image, 4200000 - 200, 200));
        Assert.Equal("\0hello disk\n\0"u8.ToArray(), ReadImage(image, 8000000, 13));
        Assert.Equal(new byte[8 * MiB - 8000013], ReadImage(image, 8000013, 8 * MiB - 8000013));
        // And the kernel reads its own writes back.
        Assert.Equal($"{await HostCksum(image)} {b}", await m.RunAsync($"cksum {b}", Slow));
        string dmesg = await m.RunAsync("dmesg");
        if (pio)
        {
            Assert.Contains("Command line: ", dmesg);
            Assert.Contains("ata: DMA off (libata.dma=0): every transfer by PIO", dmesg);
            Assert.Contains("ata: primary master: sda QEMU HARDDISK", dmesg);
            Assert.Contains("ata: sda: transfers by PIO (no DMA): slow", dmesg);
            Assert.Contains("ata: sdb: transfers by PIO (no DMA): slow", dmesg);
        }
        else Assert.DoesNotContain("PIO", dmesg);
        await MemcheckOk(m);
    }

    // The probe's reset selects device 0 before SRST. The BIOS may leave device 1 selected, and
    // an absent device 1 reads status 0 ("not busy") while QEMU's reset is still pending and the
    // select is ignored: the probe then saw no master, about one boot in ten. Twelve boots.
    [Fact]
    public async Task The_probe_finds_the_master_on_every_boot()
    {
        for (int boot = 0; boot < 12; boot++)
        {
            QemuMachine m = await BootAsync(new QemuOptions { Mode = BootMode.Kernel, Disks = [new QemuDisk(DiskBus.Ide, MiB)] });
            Assert.Equal("/dev/sda", await m.RunAsync("ls /dev/sda"));
            await m.DisposeAsync();
        }
    }

    // A command whose completion never comes times out (here the interrupts are lost on purpose,
    // `ata.lose_interrupts`, with a one-second `ata.timeout`): the channel is reset and the command
    // issued again, as libata's error handling does; after three tries it fails with EIO. Either
    // way the data read is the disk's, and the disk and the shell go on working.
    [Fact]
    public async Task A_command_that_times_out_is_retried_after_a_reset_then_fails_with_eio()
    {
        byte[] content = Random(MiB, 90);
        QemuMachine m = await BootAsync(new QemuOptions
        {
            Mode = BootMode.Kernel,
            ExtraArgs = ["-append", "ata.timeout=1 ata.lose_interrupts=4"],
            Disks = [new QemuDisk(DiskBus.Ide, MiB, content)],
        });
        // The first three completions are lost: the first read fails after its third try.
        string failed = await m.RunAsync("dd if=/dev/sda of=/f bs=4096 count=1", Slow);
        Assert.Equal("dd: /dev/sda: Input/output error", Lines(failed)[0]);
        Assert.Equal("1", await m.RunAsync("echo $?"));
        // The fourth is lost too: the next command succeeds on its second try.
        Assert.Equal($"{await HostCksum(m.DiskFiles[0])} /dev/sda", await m.RunAsync("cksum /dev/sda", Slow));
        DdReport(await m.RunAsync("dd if=/dev/zero of=/dev/sda bs=4096 count=8"), "8+0", "8+0", 32768);
        Assert.Equal("", await m.RunAsync("sync"));
        Assert.Equal(new byte[32768], ReadImage(m.DiskFiles[0], 0, 32768));
        Assert.Equal(content[32768..], ReadImage(m.DiskFiles[0], 32768, MiB - 32768));
        string[] dmesg = Lines(await m.RunAsync("dmesg"));
        Assert.Contains(dmesg, l => l.EndsWith("ata: command timeout 1 s"));
        Assert.Equal(4, dmesg.Count(l => l.EndsWith("ata: sda: command timeout, resetting the primary channel")));
        Assert.Equal(1, dmesg.Count(l => l.EndsWith("ata: sda: command failed after 3 tries (timeout): I/O error")));
        await MemcheckOk(m);
    }

    [Theory]
    [InlineData(BootMode.Iso)]
    [InlineData(BootMode.Kernel)]
    public async Task Every_ide_position_qemu_offers_is_a_disk(BootMode mode)
    {
        int count = mode == BootMode.Kernel ? 4 : 3;   // the boot CD takes the secondary master
        var disks = Enumerable.Range(0, count).Select(i => new QemuDisk(DiskBus.Ide, (i + 1) * MiB, Random((i + 1) * MiB, 40 + i))).ToArray();
        QemuMachine m = await BootAsync(new QemuOptions { Mode = mode, Disks = disks });
        string[] names = ["sda", "sdb", "sdc", "sdd"];
        var expected = new List<string> { "NAME MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS" };
        for (int i = 0; i < count; i++) expected.Add($"{names[i]}    8:{16 * i,-3}  0    {i + 1}M  0 disk ");
        Assert.Equal(string.Join("\n", expected), await m.RunAsync("lsblk"));
        string dmesg = await m.RunAsync("dmesg");
        Assert.Contains("ata: primary master: sda QEMU HARDDISK", dmesg);
        Assert.Contains("ata: primary slave: sdb QEMU HARDDISK", dmesg);
        if (mode == BootMode.Kernel)
        {
            Assert.Contains("ata: secondary master: sdc QEMU HARDDISK", dmesg);
            Assert.Contains("ata: secondary slave: sdd QEMU HARDDISK", dmesg);
        }
        else
        {
            Assert.Contains("ata: secondary master: ATAPI QEMU DVD-ROM (not driven)", dmesg);
            Assert.Contains("ata: secondary slave: sdc QEMU HARDDISK", dmesg);
        }
        Assert.Contains("bus-master DMA", dmesg);
        Assert.DoesNotContain("PIO", dmesg);
        for (int i = 0; i < count; i++)
            Assert.Equal($"{await HostCksum(m.DiskFiles[i])} /dev/{names[i]}", await m.RunAsync($"cksum /dev/{names[i]}", Slow));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Several_virtio_disks_are_named_in_pci_slot_order()
    {
        var disks = Enumerable.Range(0, 3).Select(i => new QemuDisk(DiskBus.Virtio, (i + 1) * MiB, Random((i + 1) * MiB, 50 + i))).ToArray();
        QemuMachine m = await BootAsync(new QemuOptions { Disks = disks });
        Assert.Equal(
            "NAME MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS\n" +
            "vda  254:0    0    1M  0 disk \n" +
            "vdb  254:16   0    2M  0 disk \n" +
            "vdc  254:32   0    3M  0 disk ", await m.RunAsync("lsblk"));
        // busybox's ls -l; the nodes' time is the boot's ("Nov 14 22:13").
        Assert.Equal(
            "crw-------    1 root     root        5,   1 TIME console\n" +
            "crw-rw-rw-    1 root     root        1,   3 TIME null\n" +
            "brw-------    1 root     root      254,   0 TIME vda\n" +
            "brw-------    1 root     root      254,  16 TIME vdb\n" +
            "brw-------    1 root     root      254,  32 TIME vdc\n" +
            "crw-rw-rw-    1 root     root        1,   5 TIME zero",
            Regex.Replace(await m.RunAsync("ls -l /dev"), @"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d", "TIME"));
        string lspci = await m.RunAsync("lspci");
        Assert.Contains("00:04.0 0100: 1af4:1001", lspci);
        Assert.Contains("00:05.0 0100: 1af4:1001", lspci);
        Assert.Contains("00:06.0 0100: 1af4:1001", lspci);
        string dmesg = await m.RunAsync("dmesg");
        Assert.Contains("virtio-blk: 00:04.0: vda 2048 sectors", dmesg);
        Assert.Contains("virtio-blk: 00:06.0: vdc 6144 sectors", dmesg);
        for (int i = 0; i < 3; i++)
            Assert.Equal($"{await HostCksum(m.DiskFiles[i])} /dev/vd{(char)('a' + i)}", await m.RunAsync($"cksum /dev/vd{(char)('a' + i)}", Slow));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task A_machine_without_disks_boots_with_the_character_devices_only()
    {
        QemuMachine m = await BootAsync(new QemuOptions { Mode = BootMode.Kernel });
        Assert.Equal("NAME MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS", await m.RunAsync("lsblk"));
        Assert.Equal("console\nnull\nzero", await m.RunAsync("ls /dev"));
        Assert.Equal(
            "00:00.0 0600: 8086:1237 (rev 02)\n" +
            "00:01.0 0601: 8086:7000\n" +
            "00:01.1 0101: 8086:7010\n" +
            "00:01.3 0680: 8086:7113 (rev 03)\n" +
            "00:02.0 0300: 1234:1111 (rev 02)\n" +
            "00:03.0 0200: 8086:100e (rev 03)", await m.RunAsync("lspci"));
        string dmesg = await m.RunAsync("dmesg");
        Assert.Contains("virtio-blk: no devices", dmesg);
        Assert.DoesNotContain("ata: primary master", dmesg);
        // null and zero behave as on Linux.
        Assert.Equal("4294967295 0 /dev/null", await m.RunAsync("cksum /dev/null"));
        DdReport(await m.RunAsync("dd if=/dev/zero of=/z bs=1k count=3"), "3+0", "3+0", 3072);
        string zeros = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(zeros, new byte[3072]);
            Assert.Equal($"{await HostCksum(zeros)} /z", await m.RunAsync("cksum /z"));
        }
        finally { File.Delete(zeros); }
        DdReport(await m.RunAsync("dd if=/z of=/dev/null"), "6+0", "6+0", 3072);
        Assert.Equal("", await m.RunAsync("sync"));
        Assert.Equal("bench disk: vda: No such device", await m.RunAsync("bench disk vda"));
        await MemcheckOk(m);
    }

    // Each dd copies one disk to another of the other bus, both at once (4 KiB blocks, so each is
    // hundreds of requests long): both copies must be exact.
    [Fact]
    public async Task Two_tasks_copy_between_two_pairs_of_devices_at_once()
    {
        byte[] a = Random(2 * MiB, 61), b = Random(2 * MiB, 62);
        QemuMachine m = await BootAsync(new QemuOptions
        {
            Disks = [new QemuDisk(DiskBus.Ide, 2 * MiB, a), new QemuDisk(DiskBus.Ide, 2 * MiB),
                     new QemuDisk(DiskBus.Virtio, 2 * MiB, b), new QemuDisk(DiskBus.Virtio, 2 * MiB)],
        });
        // Their reports go to files: a background line on the console can be split by the shell's
        // echo of the next command.
        Assert.Matches(@"^\[1\] \d+$", Lines(await m.RunAsync("dd if=/dev/sda of=/dev/vdb bs=4k 2> /d1 &")).First());
        Assert.Contains(Lines(await m.RunAsync("dd if=/dev/vda of=/dev/sdb bs=4k 2> /d2 &")), l => Regex.IsMatch(l, @"^\[2\] \d+$"));
        string waited = await m.RunAsync("wait", Slow);
        foreach (string report in new[] { "/d1", "/d2" })
            DdReport(await m.RunAsync($"cat {report}"), "512+0", "512+0", 2 * MiB);
        Assert.Equal(a, ReadImage(m.DiskFiles[3], 0, 2 * MiB));
        Assert.Equal(b, ReadImage(m.DiskFiles[1], 0, 2 * MiB));
        Assert.DoesNotContain("error", waited);
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Reads_and_writes_stop_at_the_end_of_the_device()
    {
        byte[] content = Random(MiB, 70);
        QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(DiskBus.Virtio, MiB, content)] });
        DdReport(await m.RunAsync("dd if=/dev/vda of=/f bs=4096 skip=255 count=4"), "1+0", "1+0", 4096);
        DdReport(await m.RunAsync("dd if=/dev/vda of=/f bs=1000 skip=1048"), "0+1", "0+1", 576);
        DdReport(await m.RunAsync("dd if=/dev/vda of=/f bs=512 skip=2048"), "0+0", "0+0", 0);
        string past = await m.RunAsync("dd if=/dev/zero of=/dev/vda bs=512 seek=2048 count=1");
        Assert.Equal("dd: error writing '/dev/vda': No space left on device", Lines(past)[0]);
        DdReport(past, "1+0", "0+0", 0);
        string across = await m.RunAsync("dd if=/dev/zero of=/dev/vda bs=1000 seek=1048 count=2");
        Assert.Equal("dd: error writing '/dev/vda': No space left on device", Lines(across)[0]);
        DdReport(across, "1+0", "0+0", 576);   // busybox counts no record for a short write
        // The 576 bytes before the end are zero now; everything before them is as it was.
        byte[] image = ReadImage(m.DiskFiles[0], 0, MiB);
        Assert.Equal(content[..1048000], image[..1048000]);
        Assert.Equal(new byte[576], image[1048000..]);
        await MemcheckOk(m);
    }

    // Beyond 2^28 sectors (128 GiB) only LBA48 commands reach: a sparse 200 GiB image.
    [Fact]
    public async Task An_ide_disk_beyond_128_GiB_is_read_and_written_with_lba48()
    {
        QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(DiskBus.Ide, 200L << 30)] });
        Assert.EndsWith("sda    8:0    0  200G  0 disk ", await m.RunAsync("lsblk"));
        Assert.Equal("", await m.RunAsync("echo lba48 > /f"));
        // A sector at 300,000,000, and six bytes across the LBA28 limit (sectors 268,435,455 and
        // 268,435,456: the first is the last LBA28 can name), one byte a write.
        const long across = (1L << 28) * 512 - 3;
        DdReport(await m.RunAsync("dd if=/f of=/dev/sda bs=512 seek=300000000 conv=notrunc"), "0+1", "0+1", 6);
        DdReport(await m.RunAsync($"dd if=/f of=/dev/sda bs=1 seek={across} conv=notrunc"), "6+0", "6+0", 6);
        Assert.Equal("lba48\n"u8.ToArray(), ReadImage(m.DiskFiles[0], 300000000L * 512, 6));
        Assert.Equal("lba48\n"u8.ToArray(), ReadImage(m.DiskFiles[0], across, 6));
        Assert.Contains("lba48", await m.RunAsync("dd if=/dev/sda bs=6 skip=25600000000 count=1"));
        Assert.Contains("lba48", await m.RunAsync($"dd if=/dev/sda bs=1 skip={across} count=6"));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Bad_dd_operands_are_refused_in_busybox_words()
    {
        QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(DiskBus.Virtio, MiB)] });
        Assert.Equal("dd: invalid number 'abc'", await m.RunAsync("dd if=/dev/vda of=/dev/null bs=abc"));
        Assert.Equal("dd: number 0 is not in 1..9223372036854775807 range", await m.RunAsync("dd if=/dev/vda of=/dev/null bs=0"));
        Assert.Equal("dd: invalid number '-1'", await m.RunAsync("dd if=/dev/vda of=/dev/null count=-1"));
        Assert.Equal("dd: invalid number '1x'", await m.RunAsync("dd if=/dev/vda of=/dev/null count=1x"));
        Assert.Equal("dd: invalid number ''", await m.RunAsync("dd if=/dev/vda of=/dev/null skip="));
        Assert.Equal("dd: invalid number '99999999999999999999'", await m.RunAsync("dd if=/dev/vda of=/dev/null seek=99999999999999999999"));
        Assert.Equal("dd: invalid argument 'foo' to 'iflag'", await m.RunAsync("dd if=/dev/vda of=/dev/null iflag=foo"));
        Assert.Equal("dd: invalid argument 'bar' to 'conv'", await m.RunAsync("dd if=/dev/vda of=/dev/null conv=notrunc,bar"));
        Assert.StartsWith("Usage: dd [if=FILE] [of=FILE]", await m.RunAsync("dd if=/dev/vda foo=1"));
        Assert.StartsWith("Usage: dd [if=FILE] [of=FILE]", await m.RunAsync("dd /dev/vda"));
        Assert.Equal("dd: can't open '/nonexistent': No such file or directory", await m.RunAsync("dd if=/nonexistent of=/dev/null"));
        Assert.Equal("dd: can't open '/config': Is a directory", await m.RunAsync("dd if=/dev/vda of=/config"));
        Assert.Equal("dd: /: Is a directory", await m.RunAsync("dd if=/ of=/dev/null"));
        Assert.Equal("dd: out of memory", await m.RunAsync("dd if=/dev/vda of=/dev/null bs=1G"));
        Assert.Equal("cksum: can't open '/nonexistent': No such file or directory", await m.RunAsync("cksum /nonexistent"));
        DdReport(await m.RunAsync("dd if=/dev/vda of=/dev/null bs=64k iflag=direct oflag=direct"), "16+0", "16+0", MiB);
        Assert.Equal("alive", await m.RunAsync("echo alive"));
        await MemcheckOk(m);
    }
}
