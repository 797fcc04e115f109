// Unmounting a ramfs gives back every page its files held (issue: they stayed allocated and
// charged for ever); it is refused with EBUSY while one of its files is open (a mapping holds
// its file open too), and then changes nothing.
using Kernel.Abi;
using Kernel.Mm;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class UnmountTests
    {
        [Fact]
        public void Unmounting_a_ramfs_frees_and_uncharges_every_page_of_its_files()
        {
            using var t = new VfsWorld();
            MemoryContainer owner = t.Owner(1);
            t.Tasks.Current = owner;
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/m"));
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/m", new RamFs(t.Vm.Vm, t.Tasks)));
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/m/d"));
            foreach (string path in new[] { "/m/a", "/m/d/b" })
            {
                Assert.Equal(Errno.None, t.Vfs.Open("/", path, OpenFlags.Write | OpenFlags.Create, out OpenFile f));
                Assert.Equal(Errno.None, f.Write(new byte[5 * 4096], 0, 5 * 4096, out int _));
                f.Close();
            }
            Assert.Equal(10, owner.FilePages);
            Assert.Equal(t.Vm.FreeAtStart - 10, t.Vm.Buddy.FreeFrames);

            Assert.Equal(Errno.None, t.Vfs.Open("/", "/m/d/b", OpenFlags.Read, out OpenFile held));
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m", "/"));
            Assert.Equal(10, owner.FilePages);                 // refused: nothing changed
            Assert.Equal(Errno.None, t.Vfs.Resolve("/", "/m/a", out Inode _, out string _));
            held.Close();

            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/m", "/"));
            Assert.Equal(0, owner.FilePages + owner.NumFiles);
            Assert.Equal(0, t.Vm.Vm.Caches.Count);
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            Assert.Equal(Errno.ENOENT, t.Vfs.Resolve("/", "/m/a", out Inode _, out string _));
            t.Vm.AssertHealthy();
        }
    }
}
