// Regressions: a ramfs write that copies nothing (out of frames, or refused) once grew the file
// to its offset; Linux changes the size only by what was written.
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class RamFsRegressionTests
    {
        // RamFile.Write ends with "if (offset + written > Size) Size = offset + written", also when
        // the first page could not be had (written == 0, ENOSPC): a failed write past the end grows
        // the file to its offset. Linux (generic_perform_write) changes i_size only by what was copied.
        [Fact]
        public void A_write_that_fails_past_the_end_leaves_the_size_alone()
        {
            using var t = new VfsWorld(8);
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/f", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            byte[] data = new byte[64 * 4096];
            Assert.Equal(Errno.None, f.Write(data, 0, data.Length, out int n));
            ulong size = f.Inode.Size;
            Assert.Equal((ulong)n, size);
            f.Offset = size + 5000;
            Assert.Equal(Errno.ENOSPC, f.Write(data, 0, 1, out n));
            Assert.Equal(0, n);
            Assert.Equal(size, f.Inode.Size);
            f.Close();
        }

        // The same without a frame to be had: nothing charged, nothing written, no growth.
        [Fact]
        public void A_write_past_the_end_without_memory_leaves_the_size_alone()
        {
            using var t = new VfsWorld(64);
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/f", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            var hog = t.LeaveFrames(0);
            f.Offset = 10000;
            Assert.Equal(Errno.ENOSPC, f.Write(new byte[10], 0, 10, out int n));
            Assert.Equal(0, n);
            Assert.Equal(0ul, f.Inode.Size);
            Assert.Equal(0, t.Vm.Vm.Charger.Root.PageUsage);
            t.Give(hog);
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            f.Close();
        }
    }
}
