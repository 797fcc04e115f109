// procfs through the VFS: files made at paths with their directories, text computed at each read
// from offset 0 and continued from that snapshot, writes handed to the provider with its errno,
// the permission bits (read-only 0444, write-only 0200) checked at open.
using System.Text;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class ProcFsTests
    {
        private sealed class Counter : ProcFile
        {
            public int Shows;
            public string Stored;
            public override string Show() => "shown " + (++Shows) + "\n";
            public override Errno Store(string text)
            {
                if (text.Trim() != "1" && text.Trim() != "2") return Errno.EINVAL;
                Stored = text;
                return Errno.None;
            }
        }

        [Fact]
        public void Files_show_fresh_text_and_take_writes_with_the_providers_errno()
        {
            using var t = new VfsWorld();
            var proc = new ProcFs();
            var c = new Counter();
            var w = new Counter();
            proc.Add("meminfo", c, ProcFs.ModeReadOnly);
            proc.Add("sys/vm/drop_caches", w, ProcFs.ModeWriteOnly);
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/proc"));
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/proc", proc));
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/proc/meminfo", OpenFlags.Read, out OpenFile f));
            var buf = new byte[4];
            Assert.Equal(Errno.None, f.Read(buf, 0, 4, out int n));
            Assert.Equal("show", Encoding.ASCII.GetString(buf, 0, n));
            var rest = new byte[100];
            Assert.Equal(Errno.None, f.Read(rest, 0, 100, out n));
            Assert.Equal("n 1\n", Encoding.ASCII.GetString(rest, 0, n));    // the same snapshot
            Assert.Equal(Errno.None, f.Read(rest, 0, 100, out n));
            Assert.Equal(0, n);
            f.Close();
            Assert.Equal(0UL, t.At("/proc/meminfo").Size);
            Assert.Equal(Errno.EACCES, t.Vfs.Open("/", "/proc/meminfo", OpenFlags.Write, out OpenFile _));
            Assert.Equal(Errno.EACCES, t.Vfs.Open("/", "/proc/sys/vm/drop_caches", OpenFlags.Read, out OpenFile _));
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/proc/sys/vm/drop_caches", OpenFlags.Write | OpenFlags.Truncate, out OpenFile d));
            byte[] three = Encoding.ASCII.GetBytes("3\n");
            Assert.Equal(Errno.EINVAL, d.Write(three, 0, 2, out int _));
            byte[] two = Encoding.ASCII.GetBytes("2\n");
            Assert.Equal(Errno.None, d.Write(two, 0, 2, out int written));
            Assert.Equal(2, written);
            Assert.Equal("2\n", w.Stored);
            d.Close();
            Assert.Equal(Errno.EACCES, t.Vfs.Open("/", "/proc/new", OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.True(t.At("/proc/sys").IsDirectory);
            Assert.Equal(3, t.At("/proc").Links);
        }
    }
}
