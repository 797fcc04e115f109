// The file tree as a user sees it: a ramfs at /, configfs at /config, the shell's cd/pwd/ls/cat/
// echo > and >>/mkdir/rmdir/rm/touch/stat/mount/umount with busybox's messages, scripts, and the
// page-cache pages of ramfs files coming back to the allocator when a file is removed.
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class FileSystemTests(ITestOutputHelper output) : KernelTest(output)
{
    private static readonly Regex FreeRow = new(@"Mem:\s+(\d+)\s+(\d+)\s+(\d+)");

    [Fact]
    public async Task Redirection_writes_appends_and_cat_reads_back()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("echo hello world > /greeting"));
        Assert.Equal("hello world", await m.RunAsync("cat /greeting"));
        Assert.Equal("", await m.RunAsync("echo second >> /greeting"));
        Assert.Equal("hello world\nsecond", await m.RunAsync("cat /greeting"));
        Assert.Equal("", await m.RunAsync("echo new > /greeting"));
        Assert.Equal("new", await m.RunAsync("cat /greeting"));
        Assert.Contains("sh: can't create /nodir/f: No such file or directory", await m.RunAsync("echo x > /nodir/f"));
        Assert.Contains("cat: can't open '/missing': No such file or directory", await m.RunAsync("cat /missing"));
        // A program's output goes to the file too, and the shell's job messages do not.
        Assert.Equal("", await m.RunAsync("memhog 16 > /hog", TimeSpan.FromSeconds(30)));
        Assert.Matches(@"^memhog pages=16 passes=1 ms=\d+$", await m.RunAsync("cat /hog"));
    }

    [Fact]
    public async Task Cd_pwd_ls_and_paths_behave_like_unix()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("mkdir -p /a/b/c"));
        Assert.Equal("", await m.RunAsync("cd /a/b"));
        Assert.Equal("/a/b", await m.RunAsync("pwd"));
        Assert.Equal("", await m.RunAsync("touch f1 c/f2"));
        Assert.Equal("c\nf1", await m.RunAsync("ls"));
        Assert.Equal("f2", await m.RunAsync("ls c/../c/./"));
        Assert.Equal("", await m.RunAsync("cd ../.."));
        Assert.Equal("/", await m.RunAsync("pwd"));
        Assert.Equal("", await m.RunAsync("cd /a/b/c/../../../../.."));
        Assert.Equal("/", await m.RunAsync("pwd"));
        Assert.Contains("sh: cd: can't cd to /a/b/f1: Not a directory", await m.RunAsync("cd /a/b/f1"));
        Assert.Contains("sh: cd: can't cd to /nope: No such file or directory", await m.RunAsync("cd /nope"));
        Assert.Equal("", await m.RunAsync("cd /config"));
        Assert.Equal("containers", await m.RunAsync("ls"));
        Assert.Matches(@"^drwxr-xr-x\s+\d+ root\s+root\s+\d+ \w{3} [ \d]\d [ \d]\d[:\d]\d\d containers$", await m.RunAsync("ls -l"));
        Assert.Contains("ls: /nope: No such file or directory", await m.RunAsync("ls /nope"));
    }

    [Fact]
    public async Task Mkdir_rmdir_rm_touch_and_stat_report_errors_and_change_nothing()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("mkdir /d"));
        Assert.Equal("mkdir: can't create directory '/d': File exists", await m.RunAsync("mkdir /d"));
        Assert.Equal("mkdir: can't create directory '/x/y': No such file or directory", await m.RunAsync("mkdir /x/y"));
        Assert.Equal("", await m.RunAsync("echo data > /d/file"));
        Assert.Equal("rmdir: '/d': Directory not empty", await m.RunAsync("rmdir /d"));
        Assert.Equal("rmdir: '/d/file': Not a directory", await m.RunAsync("rmdir /d/file"));
        Assert.Equal("rm: can't remove '/d': Is a directory", await m.RunAsync("rm /d"));
        Assert.Equal("rm: can't remove '/d/none': No such file or directory", await m.RunAsync("rm /d/none"));
        string stat = await m.RunAsync("stat /d/file");
        Assert.Matches(@"File: /d/file", stat);
        Assert.Matches(@"Size: 5\s+Blocks: 1\s+IO Block: 4096\s+regular file", stat);
        Assert.Matches(@"Device: ramfs\s+Inode: \d+\s+Links: 1", stat);
        Assert.Contains("Access: (0644/-rw-r--r--)", stat);
        Assert.Contains("directory", await m.RunAsync("stat /d"));
        Assert.Equal("stat: can't stat '/none': No such file or directory", await m.RunAsync("stat /none"));
        Assert.Equal("", await m.RunAsync("rm /d/file"));
        Assert.Equal("", await m.RunAsync("rmdir /d"));
        Assert.Equal("config\ndev\nmnt\nproc\ntmp", await m.RunAsync("ls /"));
        Assert.Equal("rmdir: '/': Device or resource busy", await m.RunAsync("rmdir /"));
    }

    [Fact]
    public async Task Mount_lists_and_configfs_can_be_unmounted_and_mounted_again()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("none on / type ramfs (rw)\nnone on /config type configfs (rw)\ndevtmpfs on /dev type devtmpfs (rw)\nproc on /proc type proc (rw)", await m.RunAsync("mount"));
        Assert.Equal("", await m.RunAsync("mkdir /config/containers/busy"));
        Assert.Equal("umount: can't unmount /config: Device or resource busy", await m.RunAsync("umount /config"));
        Assert.Equal("", await m.RunAsync("rmdir /config/containers/busy"));
        Assert.Equal("", await m.RunAsync("umount /config"));
        Assert.Equal("none on / type ramfs (rw)\ndevtmpfs on /dev type devtmpfs (rw)\nproc on /proc type proc (rw)", await m.RunAsync("mount"));
        Assert.Equal("", await m.RunAsync("ls /config"));
        Assert.Equal("umount: can't unmount /config: Invalid argument", await m.RunAsync("umount /config"));
        Assert.Equal("mount: unknown filesystem type 'nofs'", await m.RunAsync("mount -t nofs none /config"));
        Assert.Equal("", await m.RunAsync("mount -t configfs none /config"));
        Assert.Equal("containers", await m.RunAsync("ls /config"));
        Assert.Equal("mount: mounting none on /config failed: Device or resource busy", await m.RunAsync("mount -t ramfs none /config"));
        Assert.Equal("mkdir: can't create directory '/mnt': File exists", await m.RunAsync("mkdir /mnt"));   // there at boot
        Assert.Equal("", await m.RunAsync("mount -t ramfs none /mnt"));
        Assert.Equal("", await m.RunAsync("echo x > /mnt/f"));
        Assert.Equal("", await m.RunAsync("cd /mnt"));
        Assert.Equal("umount: can't unmount /mnt: Device or resource busy", await m.RunAsync("umount /mnt"));
        Assert.Equal("", await m.RunAsync("cd /"));
        Assert.Equal("", await m.RunAsync("umount /mnt"));
        Assert.Equal("", await m.RunAsync("ls /mnt"));
    }

    // A script written with echo >> and run by sh, in a loop with repeat.
    [Fact]
    public async Task Scripts_run_line_by_line()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("echo '# count to three' > /s"));
        Assert.Equal("", await m.RunAsync("echo 'echo one' >> /s"));
        Assert.Equal("", await m.RunAsync("echo 'echo two >> /log' >> /s"));
        Assert.Equal("one\none\none", await m.RunAsync("repeat 3 sh /s"));
        Assert.Equal("two\ntwo\ntwo", await m.RunAsync("cat /log"));
        Assert.Contains("sh: can't open '/none': No such file or directory", await m.RunAsync("sh /none"));
    }

    // 1 MiB written in 4 KiB pieces becomes page-cache pages charged to the root; rm gives every
    // frame back.
    [Fact]
    public async Task A_removed_file_gives_its_pages_back()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("echo 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 > /line"));
        Assert.Equal("", await m.RunAsync("mkdir /big"));
        int rootBefore = RootPages(await m.RunAsync("meminfo"));
        await m.RunAsync("gc");   // the heap gives its empty pages back: free then counts frames, not garbage
        int freeBefore = Free(await m.RunAsync("free"));
        Assert.Equal("", await m.RunAsync("repeat 10000 cat /line > /big/file", TimeSpan.FromSeconds(60)));
        Assert.Matches(@"Size: 1010000\s", await m.RunAsync("stat /big/file"));
        Assert.Equal(rootBefore + 247, RootPages(await m.RunAsync("meminfo")));   // 1010000 bytes = 247 pages
        Assert.Equal("", await m.RunAsync("rm /big/file"));
        Assert.Equal(rootBefore, RootPages(await m.RunAsync("meminfo")));
        await m.RunAsync("gc");
        Assert.InRange(Free(await m.RunAsync("free")) - freeBefore, -1024, 1024);   // KiB: the file's 988 KiB came back
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck"));
    }

    // umount of a ramfs with files gives every page back (they used to stay allocated and
    // charged for ever); EBUSY while one of its files is open.
    [Fact]
    public async Task Unmounting_a_ramfs_gives_its_files_pages_back()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("echo 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 > /line"));
        Assert.Equal("", await m.RunAsync("echo old > /bg.out"));   // the job's output file, a page already
        int rootBefore = RootPages(await m.RunAsync("meminfo"));
        Assert.Equal("", await m.RunAsync("mkdir /mnt2"));
        Assert.Equal("", await m.RunAsync("mount -t ramfs none /mnt2"));
        Assert.Equal("", await m.RunAsync("mkdir /mnt2/d"));
        Assert.Equal("", await m.RunAsync("repeat 400 cat /line > /mnt2/d/file", TimeSpan.FromSeconds(30)));
        Assert.Equal(rootBefore + 10, RootPages(await m.RunAsync("meminfo")));   // 40400 bytes = 10 pages
        Assert.Matches(@"^\[1\] \d+$", await m.RunAsync("mapfile /mnt2/d/file 3 > /bg.out &"));
        await Task.Delay(300);
        Assert.Equal("umount: can't unmount /mnt2: Device or resource busy", await m.RunAsync("umount /mnt2"));
        await m.RunAsync("wait", TimeSpan.FromSeconds(10));
        Assert.Equal("", await m.RunAsync("umount /mnt2"));
        Assert.Equal(rootBefore, RootPages(await m.RunAsync("meminfo")));
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck"));
    }

    // Truncating a file that a process maps takes the pages past the new end away from it at
    // once (they used to stay mapped, charged and readable).
    [Fact]
    public async Task Truncating_a_mapped_file_unmaps_and_frees_its_pages()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("echo 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 > /line"));
        Assert.Equal("", await m.RunAsync("repeat 400 cat /line > /f", TimeSpan.FromSeconds(30)));
        int rootBefore = RootPages(await m.RunAsync("meminfo"));
        Assert.Matches(@"^\[1\] \d+$", await m.RunAsync("mapfile /f 3 > /bg.out &"));
        await Task.Delay(300);
        Assert.Equal("", await m.RunAsync("echo x > /f"));
        Assert.Equal(rootBefore - 9, RootPages(await m.RunAsync("meminfo")));   // 10 pages -> 1
        await m.RunAsync("wait", TimeSpan.FromSeconds(10));
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck"));
    }

    private static readonly Regex RootRow = new(@"charged: \d+ pages to \d+ containers, (\d+) pages to the root");

    private static int RootPages(string meminfo) => int.Parse(RootRow.Match(meminfo).Groups[1].Value);

    private static int Free(string free) => int.Parse(FreeRow.Match(free).Groups[3].Value);
}
