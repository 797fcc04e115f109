// ext2 written by the kernel's Ext2Fs, judged by the host's e2fsck -fn and debugfs: files created,
// written, appended, truncated, renamed, linked and removed; directories made, moved and removed;
// symbolic links fast and slow, followed and looped; sparse files with double and triple indirect
// blocks; ENOSPC with nothing half-allocated; sync and unmount writing everything back; every
// frame (page cache and buffers) back after unmount.
using System;
using System.IO;
using System.Linq;
using System.Text;
using Kernel.Abi;
using Kernel.Mm;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class Ext2WriteTests
    {
        private static byte[] Pattern(int n, int seed)
        {
            var b = new byte[n];
            new Random(seed).NextBytes(b);
            return b;
        }

        private static byte[] Empty(int sizeKiB, int blockSize = 1024, int inodeSize = 256) =>
            HostTools.MakeImage(null, sizeKiB, blockSize, inodeSize);

        [Theory]
        [InlineData(1024)]
        [InlineData(4096)]
        public void Files_written_by_the_kernel_are_what_debugfs_dumps(int blockSize)
        {
            // A buffer cache of 8 pages: metadata is evicted and read again all the time.
            using var w = new Ext2World(Empty(8192, blockSize), bufferLimit: 8);
            w.MountOk();
            byte[] big = Pattern(1_000_000, 1);
            w.WriteAll("/mnt/big", big);
            w.WriteAll("/mnt/small", Encoding.ASCII.GetBytes("hello\n"));
            Assert.Equal(Errno.None, w.Vfs.Mkdir("/", "/mnt/d"));
            Assert.Equal(Errno.None, w.Vfs.Mkdir("/", "/mnt/d/e"));
            w.WriteAll("/mnt/d/e/f", Pattern(5000, 2));
            // Append.
            w.WriteAll("/mnt/small", Encoding.ASCII.GetBytes("world\n"), OpenFlags.Append);
            Assert.Equal("hello\nworld\n", Encoding.ASCII.GetString(w.ReadAll("/mnt/small")));
            Assert.Equal(big, w.ReadAll("/mnt/big"));
            Assert.True(w.Pool.Pages <= 12, w.Pool.Pages + " buffer pages");
            Assert.Null(w.Fs.Verify());
            w.UmountAndCheck();
            byte[] image = w.Image();
            Assert.Equal(big, HostTools.Dump(image, "/big"));
            Assert.Equal("hello\nworld\n", Encoding.ASCII.GetString(HostTools.Dump(image, "/small")));
            Assert.Equal(Pattern(5000, 2), HostTools.Dump(image, "/d/e/f"));
        }

        [Fact]
        public void Truncate_shrinks_and_grows_and_the_tail_reads_zero()
        {
            using var w = new Ext2World(Empty(8192));
            w.MountOk();
            byte[] data = Pattern(300_000, 3);
            w.WriteAll("/mnt/t", data);
            Assert.Equal(Errno.None, w.Vfs.Open("/", "/mnt/t", OpenFlags.Write, out OpenFile f));
            Assert.Equal(Errno.None, f.Inode.Truncate(70_001));
            Assert.Equal(Errno.None, f.Inode.Truncate(200_000));
            f.Close();
            byte[] expect = new byte[200_000];
            Array.Copy(data, expect, 70_001);
            Assert.Equal(expect, w.ReadAll("/mnt/t"));
            // Dropped and read again from the disk: the same.
            Assert.Equal(Errno.None, w.Fs.Sync());
            w.At("/mnt/t").Mapping.DropClean();
            Assert.Equal(expect, w.ReadAll("/mnt/t"));
            w.UmountAndCheck();
            Assert.Equal(expect, HostTools.Dump(w.Image(), "/t"));
        }

        [Fact]
        public void Sparse_files_reach_double_and_triple_indirect_blocks()
        {
            // 1 KiB blocks: the triple indirect tree starts at 12 + 256 + 65536 blocks (~64 MiB).
            using var w = new Ext2World(Empty(16384));
            w.MountOk();
            ulong[] offsets = { 0, 5000, 12 * 1024, 300 * 1024, 70UL << 20, (1UL << 30) - 4096 };
            Assert.Equal(Errno.None, w.Vfs.Open("/", "/mnt/sparse", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            for (int i = 0; i < offsets.Length; i++)
            {
                byte[] b = Encoding.ASCII.GetBytes("chunk" + i);
                f.Offset = offsets[i];
                Assert.Equal(Errno.None, f.Write(b, 0, b.Length, out int n));
            }
            Assert.Equal(Errno.EFBIG, f.Inode.Write(1UL << 30, new byte[1], 0, 1, out int _));
            f.Close();
            Assert.Equal((1UL << 30) - 4096 + 6, w.At("/mnt/sparse").Size);
            Assert.Equal(Errno.None, w.Fs.Sync());
            w.At("/mnt/sparse").Mapping.DropClean();
            Assert.Equal(Errno.None, w.Vfs.Open("/", "/mnt/sparse", OpenFlags.Read, out f));
            var buf = new byte[6];
            for (int i = 0; i < offsets.Length; i++)
            {
                f.Offset = offsets[i];
                Assert.Equal(Errno.None, f.Read(buf, 0, 6, out int n));
                Assert.Equal("chunk" + i, Encoding.ASCII.GetString(buf, 0, n));
            }
            f.Offset = 50UL << 20;
            Assert.Equal(Errno.None, f.Read(buf, 0, 6, out int z));
            Assert.Equal(new byte[6], buf);
            f.Close();
            ulong blocks = w.At("/mnt/sparse").Blocks;
            w.UmountAndCheck();
            string stat = HostTools.Debugfs(w.Image(), "stat /sparse");
            Assert.Contains("TIND", stat);
            Assert.Contains("Blockcount: " + blocks, stat);
            // Truncating it away frees every tree.
            using var w2 = new Ext2World(w.Image());
            w2.MountOk();
            Assert.Equal(Errno.None, w2.At("/mnt/sparse").Truncate(3));
            Assert.Equal(2UL, w2.At("/mnt/sparse").Blocks);
            w2.UmountAndCheck();
        }

        [Fact]
        public void Rename_link_unlink_and_directories_keep_the_counts_right()
        {
            using var w = new Ext2World(Empty(4096));
            w.MountOk();
            Vfs v = w.Vfs;
            Assert.Equal(Errno.None, v.Mkdir("/", "/mnt/a"));
            Assert.Equal(Errno.None, v.Mkdir("/", "/mnt/b"));
            Assert.Equal(Errno.None, v.Mkdir("/", "/mnt/a/inner"));
            w.WriteAll("/mnt/a/file", Pattern(10, 4));
            w.WriteAll("/mnt/b/victim", Pattern(20_000, 5));
            Assert.Equal(5, w.At("/mnt").Links);      // 2 + its subdirectories: lost+found, a, b
            Assert.Equal(Errno.None, v.Rename("/", "/mnt/a/inner", "/mnt/b/moved"));
            Assert.Equal(Errno.EINVAL, v.Rename("/", "/mnt/b", "/mnt/b/moved/x"));
            Assert.Equal(Errno.None, v.Rename("/", "/mnt/a/file", "/mnt/b/victim"));   // replaces it
            Assert.Equal(Pattern(10, 4), w.ReadAll("/mnt/b/victim"));
            Assert.Equal(Errno.None, v.Link("/", "/mnt/b/victim", "/mnt/hard"));
            Assert.Equal(2, w.At("/mnt/hard").Links);
            Assert.Equal(Errno.EPERM, v.Link("/", "/mnt/b", "/mnt/dirlink"));
            Assert.Equal(Errno.None, v.Unlink("/", "/mnt/b/victim"));
            Assert.Equal(1, w.At("/mnt/hard").Links);
            Assert.Equal(Errno.ENOTEMPTY, v.Rmdir("/", "/mnt/b"));
            Assert.Equal(Errno.None, v.Rename("/", "/mnt/b/moved", "/mnt/a/back"));
            Assert.Equal(Errno.None, v.Rmdir("/", "/mnt/a/back"));
            Assert.Equal(Errno.None, v.Rmdir("/", "/mnt/b"));
            Assert.Equal(2, w.At("/mnt/a").Links);
            Assert.Equal(4, w.At("/mnt").Links);
            Assert.Equal(new[] { "a", "hard", "lost+found" }, w.Names("/mnt").ToArray());
            Assert.Null(w.Fs.Verify());
            w.UmountAndCheck();
            Assert.Equal(Pattern(10, 4), HostTools.Dump(w.Image(), "/hard"));
        }

        [Fact]
        public void Symbolic_links_fast_and_slow_are_followed_and_loops_are_eloop()
        {
            using var w = new Ext2World(Empty(4096));
            w.MountOk();
            Vfs v = w.Vfs;
            Assert.Equal(Errno.None, v.Mkdir("/", "/mnt/dir"));
            w.WriteAll("/mnt/dir/target", Encoding.ASCII.GetBytes("through the link\n"));
            Assert.Equal(Errno.None, v.Symlink("/", "dir/target", "/mnt/short"));
            string longTarget = "/mnt/" + string.Concat(Enumerable.Repeat("./", 60)) + "dir/target";
            Assert.Equal(Errno.None, v.Symlink("/", longTarget, "/mnt/long"));
            Assert.Equal(Errno.None, v.Symlink("/", "/mnt/dir", "/mnt/dirlink"));
            Assert.Equal("through the link\n", Encoding.ASCII.GetString(w.ReadAll("/mnt/short")));
            Assert.Equal("through the link\n", Encoding.ASCII.GetString(w.ReadAll("/mnt/long")));
            Assert.Equal("through the link\n", Encoding.ASCII.GetString(w.ReadAll("/mnt/dirlink/target")));
            Assert.Equal(Errno.None, v.ReadLink("/", "/mnt/long", out string t));
            Assert.Equal(longTarget, t);
            Assert.Equal(Errno.None, v.ResolveNoFollow("/", "/mnt/short", out Inode link, out string _));
            Assert.Equal(InodeKind.Symlink, link.Kind);
            Assert.Equal(10UL, link.Size);
            Assert.Equal(Errno.None, v.Symlink("/", "loop2", "/mnt/loop1"));
            Assert.Equal(Errno.None, v.Symlink("/", "loop1", "/mnt/loop2"));
            Assert.Equal(Errno.ELOOP, v.Resolve("/", "/mnt/loop1", out Inode _, out string _));
            Assert.Equal(Errno.ELOOP, v.Open("/", "/mnt/loop1", OpenFlags.Read, out OpenFile _));
            // A dangling link: open with O_CREAT makes the file where it points.
            Assert.Equal(Errno.None, v.Symlink("/", "dir/made", "/mnt/dangling"));
            w.WriteAll("/mnt/dangling", Encoding.ASCII.GetBytes("x"));
            Assert.Equal("x", Encoding.ASCII.GetString(w.ReadAll("/mnt/dir/made")));
            Assert.Equal(Errno.None, v.Unlink("/", "/mnt/long"));   // the link, not its target
            Assert.Equal("through the link\n", Encoding.ASCII.GetString(w.ReadAll("/mnt/dir/target")));
            w.UmountAndCheck();
            string ls = HostTools.Debugfs(w.Image(), "stat /short");
            Assert.Contains("Fast link dest: \"dir/target\"", ls);
        }

        [Fact]
        public void A_full_disk_is_enospc_with_nothing_half_allocated()
        {
            using var w = new Ext2World(Empty(2048));
            w.MountOk();
            Assert.Equal(Errno.None, w.Vfs.Open("/", "/mnt/fill", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            byte[] chunk = Pattern(65536, 6);
            ulong total = 0;
            Errno e;
            while (true)
            {
                e = f.Write(chunk, 0, chunk.Length, out int n);
                total += (ulong)n;
                if (e != Errno.None || n < chunk.Length) break;
            }
            if (e == Errno.None) e = f.Write(chunk, 0, chunk.Length, out int _);
            Assert.Equal(Errno.ENOSPC, e);
            f.Close();
            Assert.Equal(total, w.At("/mnt/fill").Size);
            w.Fs.StatFs(out FsStats s);
            Assert.True(s.BlocksFree < 4, s.BlocksFree + " blocks still free");
            Assert.Null(w.Fs.Verify());
            w.UmountAndCheck();
            byte[] dumped = HostTools.Dump(w.Image(), "/fill");
            Assert.Equal((int)total, dumped.Length);
            for (int i = 0; i < dumped.Length; i++) if (dumped[i] != chunk[i % chunk.Length]) Assert.Fail("byte " + i + " differs");
        }

        [Fact]
        public void Writeback_is_clustered_and_unmount_frees_every_frame()
        {
            using var w = new Ext2World(Empty(32768, 4096));
            w.MountOk();
            w.WriteAll("/mnt/f", Pattern(4 << 20, 7));
            Assert.Equal(1024UL, w.Vm.Vm.DirtyPages);
            int before = w.Disk.Log.Count;
            Assert.Equal(Errno.None, w.Fs.Sync());
            Assert.Equal(0UL, w.Vm.Vm.DirtyPages);
            int writes = w.Disk.Log.Skip(before).Count(c => c.Op == Kernel.Block.BlockOp.Write);
            Assert.True(writes < 80, "4 MiB took " + writes + " write commands");
            Assert.True(w.Pool.Pages > 0);
            w.UmountAndCheck();
        }
    }
}
