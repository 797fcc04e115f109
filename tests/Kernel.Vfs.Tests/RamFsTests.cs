// ramfs files: bytes at any offset across page boundaries, holes, append, truncation, EFBIG,
// ENOSPC with a short write, who the page cache is charged to, and every frame coming back to
// the allocator when a file is removed (after its last close). The property test is in
// RamFsPropertyTests.cs.
using System;
using System.Collections.Generic;
using System.Linq;
using Kernel.Abi;
using Kernel.Mm;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class RamFsTests
    {
        private static OpenFile Open(VfsWorld t, string path, OpenFlags flags)
        {
            Assert.Equal(Errno.None, t.Vfs.Open("/", path, flags, out OpenFile f));
            return f;
        }

        private static void WriteAt(VfsWorld t, string path, ulong offset, byte[] data)
        {
            OpenFile f = Open(t, path, OpenFlags.Write | OpenFlags.Create);
            f.Offset = offset;
            Assert.Equal(Errno.None, f.Write(data, 0, data.Length, out int n));
            Assert.Equal(data.Length, n);
            f.Close();
        }

        private static byte[] ReadAll(VfsWorld t, string path)
        {
            OpenFile f = Open(t, path, OpenFlags.Read);
            var bytes = new List<byte>();
            byte[] buffer = new byte[1000];   // not a page multiple: reads straddle pages
            while (true)
            {
                Assert.Equal(Errno.None, f.Read(buffer, 0, buffer.Length, out int n));
                if (n == 0) break;
                bytes.AddRange(buffer.Take(n));
            }
            f.Close();
            return bytes.ToArray();
        }

        [Fact]
        public void Bytes_cross_pages_and_holes_read_as_zeros_without_frames()
        {
            using var t = new VfsWorld();
            byte[] data = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7 + 1)).ToArray();
            WriteAt(t, "/f", 4000, data);                       // pages 0..2
            Assert.Equal(9000ul, t.At("/f").Size);
            Assert.Equal(t.Vm.FreeAtStart - 3, t.Vm.Buddy.FreeFrames);
            WriteAt(t, "/f", 40000, new byte[] { 9 });          // page 9 only: 3..8 are holes
            Assert.Equal(t.Vm.FreeAtStart - 4, t.Vm.Buddy.FreeFrames);
            byte[] all = ReadAll(t, "/f");
            Assert.Equal(40001, all.Length);
            Assert.True(all.Take(4000).All(b => b == 0));
            Assert.Equal(data, all.Skip(4000).Take(5000).ToArray());
            Assert.True(all.Skip(9000).Take(31000).All(b => b == 0));
            Assert.Equal(9, all[40000]);
            Assert.Equal(t.Vm.FreeAtStart - 4, t.Vm.Buddy.FreeFrames);   // reading holes took nothing
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/f"));
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Truncation_drops_pages_and_zeroes_the_tail()
        {
            using var t = new VfsWorld();
            WriteAt(t, "/f", 0, Enumerable.Repeat((byte)0xAB, 3 * 4096).ToArray());
            Assert.Equal(Errno.None, t.At("/f").Truncate(5000));
            Assert.Equal(t.Vm.FreeAtStart - 2, t.Vm.Buddy.FreeFrames);
            Assert.Equal(Errno.None, t.At("/f").Truncate(3 * 4096));   // grow: the old bytes must not come back
            byte[] all = ReadAll(t, "/f");
            Assert.True(all.Take(5000).All(b => b == 0xAB));
            Assert.True(all.Skip(5000).All(b => b == 0));
            Assert.Equal(Errno.EFBIG, t.At("/f").Truncate(PageCache.MaxPages * 4096 + 1));
            OpenFile f = Open(t, "/f", OpenFlags.Write);
            f.Offset = PageCache.MaxPages * 4096;
            Assert.Equal(Errno.EFBIG, f.Write(new byte[1], 0, 1, out int _));
            f.Close();
            OpenFile g = Open(t, "/f", OpenFlags.Write | OpenFlags.Truncate);
            g.Close();
            Assert.Equal(0ul, t.At("/f").Size);
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Out_of_frames_a_write_is_short_then_enospc()
        {
            using var t = new VfsWorld(16);
            uint free = t.Vm.Buddy.FreeFrames;
            OpenFile f = Open(t, "/big", OpenFlags.Write | OpenFlags.Create);
            byte[] data = new byte[64 * 4096];
            Assert.Equal(Errno.None, f.Write(data, 0, data.Length, out int n));
            Assert.Equal((int)free * 4096, n);
            Assert.Equal(Errno.ENOSPC, f.Write(data, 0, 10, out n));
            Assert.Equal(0, n);
            Assert.Equal((ulong)free * 4096, t.At("/big").Size);
            f.Close();
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/big"));
            Assert.Equal(free, t.Vm.Buddy.FreeFrames);
        }

        [Fact]
        public void An_unlinked_file_keeps_its_pages_until_the_last_close()
        {
            using var t = new VfsWorld();
            WriteAt(t, "/f", 0, new byte[] { 1, 2, 3 });
            OpenFile a = Open(t, "/f", OpenFlags.Read);
            OpenFile b = Open(t, "/f", OpenFlags.Read | OpenFlags.Write);
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/f"));
            Assert.Equal(Errno.ENOENT, t.Resolve("/f"));
            Assert.Equal(t.Vm.FreeAtStart - 1, t.Vm.Buddy.FreeFrames);
            byte[] buffer = new byte[8];
            Assert.Equal(Errno.None, a.Read(buffer, 0, 8, out int n));
            Assert.Equal(3, n);
            a.Close();
            Assert.Equal(t.Vm.FreeAtStart - 1, t.Vm.Buddy.FreeFrames);
            b.Close();
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
        }

        [Fact]
        public void The_task_that_brings_a_file_in_decides_its_container()
        {
            using var t = new VfsWorld(64);
            var first = t.Owner(1);
            var second = t.Owner(2);
            t.Vfs.Open("/", "/f", OpenFlags.Write | OpenFlags.Create, out OpenFile f);
            f.Close();
            Assert.False(t.At("/f").Mapping.Charged);   // empty: nobody brought it in yet
            t.Tasks.Current = first;
            WriteAt(t, "/f", 0, new byte[] { 1 });
            t.Tasks.Current = second;
            WriteAt(t, "/f", 8192, new byte[] { 1 });
            Assert.Same(first, t.At("/f").Mapping.Container);
            Assert.Equal(2ul, t.At("/f").Mapping.ResidentPages);
        }

        [Fact]
        public void Directories_count_links_and_list_in_creation_order()
        {
            using var t = new VfsWorld();
            foreach (string d in new[] { "/z", "/y", "/z/q" }) Assert.Equal(Errno.None, t.Vfs.Mkdir("/", d));
            WriteAt(t, "/x", 0, new byte[0]);
            Inode root = t.At("/");
            var names = Enumerable.Range(0, root.EntryCount).Select(i => { root.EntryAt(i, out string n, out Inode _); return n; });
            Assert.Equal(new[] { "z", "y", "x" }, names);
            Assert.False(root.EntryAt(3, out string _, out Inode _));
            Assert.Equal(4, root.Links);
            Assert.Equal(3, t.At("/z").Links);
            Assert.Equal(1, t.At("/x").Links);
            Assert.Equal(InodeKind.Regular, t.At("/x").Kind);
            Assert.Equal(0x1A4, t.At("/x").Mode);
            Assert.Equal(0x1ED, t.At("/z").Mode);
        }
    }
}
