// ext2 images made by the host's mke2fs -d, read through the kernel's Ext2Fs: the superblock and
// group descriptors, inodes, directories (listed with their real inode numbers), file contents of
// awkward sizes, holes, symbolic links, both block sizes and both inode sizes.
using System.IO;
using System.Linq;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class Ext2ReadTests
    {
        // Revision 0 (128-byte inodes, no features at all: no filetype in directory entries).
        [Fact]
        public void A_revision_0_file_system_is_read_and_written()
        {
            string dir = HostTools.TempDir();
            try
            {
                File.WriteAllBytes(Path.Combine(dir, "old"), Pattern(70_000, 9));
                byte[] image = HostTools.MakeImage(dir, 4096, 1024, 0, "-r 0");
                using var w = new Ext2World(image);
                w.MountOk();
                Assert.Equal(Pattern(70_000, 9), w.ReadAll("/mnt/old"));
                Assert.Equal(Errno.None, w.Vfs.Mkdir("/", "/mnt/new"));
                w.WriteAll("/mnt/new/file", Pattern(9000, 10));
                Assert.Equal(Errno.None, w.Vfs.Rename("/", "/mnt/old", "/mnt/new/old"));
                w.UmountAndCheck();
                Assert.Equal(Pattern(9000, 10), HostTools.Dump(w.Image(), "/new/file"));
                string file = WriteTemp(w.Image());
                try { Assert.Contains("Filesystem revision #:    0", HostTools.Run("dumpe2fs", "-h", file).output); }
                finally { File.Delete(file); }
            }
            finally { Directory.Delete(dir, true); }
        }

        private static string WriteTemp(byte[] image)
        {
            string f = Path.Combine(Path.GetTempPath(), "ext2-" + System.Guid.NewGuid().ToString("N") + ".img");
            File.WriteAllBytes(f, image);
            return f;
        }

        private static byte[] Pattern(int n, int seed)
        {
            var b = new byte[n];
            new System.Random(seed).NextBytes(b);
            return b;
        }

        [Theory]
        [InlineData(1024, 128)]
        [InlineData(1024, 256)]
        [InlineData(4096, 256)]
        [InlineData(2048, 128)]
        public void A_host_made_image_lists_and_reads_back(int blockSize, int inodeSize)
        {
            string dir = HostTools.TempDir();
            try
            {
                int[] sizes = { 0, 1, 4095, 4096, 4097, 300_000 };
                foreach (int n in sizes) File.WriteAllBytes(Path.Combine(dir, "f" + n), Pattern(n, n));
                Directory.CreateDirectory(Path.Combine(dir, "sub/deeper"));
                File.WriteAllText(Path.Combine(dir, "sub/deeper/note"), "hello\n");
                byte[] image = HostTools.MakeImage(dir, 4096, blockSize, inodeSize);
                using var w = new Ext2World(image);
                w.MountOk();
                Assert.Equal(new[] { "f0", "f1", "f300000", "f4095", "f4096", "f4097", "lost+found", "sub" }, w.Names("/mnt").ToArray());
                foreach (int n in sizes) Assert.Equal(Pattern(n, n), w.ReadAll("/mnt/f" + n));
                Assert.Equal("hello\n", System.Text.Encoding.ASCII.GetString(w.ReadAll("/mnt/sub/deeper/note")));
                Inode root = w.At("/mnt");
                Assert.Equal(2UL, root.Ino);
                Assert.Equal(InodeKind.Directory, root.Kind);
                Assert.Equal(11UL, w.At("/mnt/lost+found").Ino);
                Assert.Equal(4097UL, w.At("/mnt/f4097").Size);
                Assert.Null(w.Fs.Verify());
                w.UmountAndCheck();
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
