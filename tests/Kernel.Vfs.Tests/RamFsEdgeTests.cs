// ramfs in detail: reads and writes at offsets and buffer positions, overwrites that take no
// frame, appends through two handles, truncation to page boundaries and inside holes, the 1 GiB
// limit, running out of frames (short write, then ENOSPC, with the charge cancelled), who is
// charged and on which LRU group the pages go, the page-cache registry, and directories.
using System;
using System.Collections.Generic;
using System.Linq;
using Kernel.Abi;
using Kernel.Mm;
using Kernel.Mm.Tests;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class RamFsEdgeTests
    {
        private static OpenFile Open(VfsWorld t, string path, OpenFlags flags)
        {
            Assert.Equal(Errno.None, t.Vfs.Open("/", path, flags, out OpenFile f));
            return f;
        }

        private static byte[] Bytes(string s) => s.Select(c => (byte)c).ToArray();
        private static string Text(byte[] b, int n) => new string(b.Take(n).Select(x => (char)x).ToArray());

        private static byte[] ReadAt(OpenFile f, ulong offset, int count)
        {
            f.Offset = offset;
            byte[] buffer = new byte[count];
            Assert.Equal(Errno.None, f.Read(buffer, 0, count, out int n));
            Assert.Equal(offset + (ulong)n, f.Offset);
            return buffer.Take(n).ToArray();
        }


        [Fact]
        public void Reads_and_writes_at_offsets_and_buffer_positions()
        {
            using var t = new VfsWorld();
            OpenFile f = Open(t, "/f", OpenFlags.Read | OpenFlags.Write | OpenFlags.Create);
            Assert.Equal(Errno.None, f.Write(Bytes("..abcdef.."), 2, 6, out int n));
            Assert.Equal((6, 6ul), (n, f.Offset));
            f.Offset = 2;
            Assert.Equal(Errno.None, f.Write(Bytes("XY"), 0, 2, out n));
            Assert.Equal(4ul, f.Offset);
            Assert.Equal(6ul, f.Inode.Size);   // an overwrite does not grow the file
            Assert.Equal("abXYef", Text(ReadAt(f, 0, 100), 100));
            Assert.Equal("Ye", Text(ReadAt(f, 3, 2), 2));
            Assert.Empty(ReadAt(f, 6, 10));       // at the end: 0 bytes, no error
            Assert.Empty(ReadAt(f, 1000, 10));    // past it too
            byte[] buffer = Bytes("0123456789");
            f.Offset = 4;
            Assert.Equal(Errno.None, f.Read(buffer, 7, 3, out n));
            Assert.Equal("0123456ef9", Text(buffer, 10));   // a read at the end is short
            Assert.Equal(2, n);
            Assert.Equal(Errno.None, f.Read(buffer, 10, 0, out n));   // an empty read at the buffer's end
            Assert.Equal(Errno.EFAULT, f.Read(buffer, 8, 3, out n));
            Assert.Equal(Errno.EFAULT, f.Write(buffer, -1, 1, out n));
            Assert.Equal(Errno.EFAULT, f.Write(null, 0, 1, out n));
            Assert.Equal(Errno.None, f.Write(buffer, 0, 0, out n));
            Assert.Equal((0, 6ul), (n, f.Inode.Size));
            Assert.Equal(t.Vm.FreeAtStart - 1, t.Vm.Buddy.FreeFrames);
            f.Close();
        }

        [Fact]
        public void Page_boundaries_take_exactly_the_frames_touched()
        {
            using var t = new VfsWorld();
            OpenFile f = Open(t, "/f", OpenFlags.Read | OpenFlags.Write | OpenFlags.Create);
            f.Offset = 4095;
            f.Write(new byte[] { 1, 2 }, 0, 2, out int _);            // pages 0 and 1
            Assert.Equal(t.Vm.FreeAtStart - 2, t.Vm.Buddy.FreeFrames);
            f.Offset = 3 * 4096;
            f.Write(new byte[4096], 0, 4096, out int _);              // page 3 exactly
            Assert.Equal(t.Vm.FreeAtStart - 3, t.Vm.Buddy.FreeFrames);
            Assert.Equal(4ul * 4096, f.Inode.Size);
            Assert.Equal(new byte[] { 0, 1, 2, 0 }, ReadAt(f, 4094, 4));
            Assert.True(ReadAt(f, 8192, 4096).All(b => b == 0));     // page 2 is a hole
            Assert.Equal(3ul, f.Inode.Mapping.ResidentPages);
            Assert.Equal(Page.NoFrame, f.Inode.Mapping.Find(2));
            f.Close();
        }

        [Fact]
        public void Growing_an_empty_file_to_a_megabyte_takes_no_frame()
        {
            using var t = new VfsWorld();
            OpenFile f = Open(t, "/f", OpenFlags.Read | OpenFlags.Write | OpenFlags.Create);
            Assert.Equal(Errno.None, f.Inode.Truncate(1 << 20));
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            Assert.True(ReadAt(f, 0, 1 << 20).All(b => b == 0));
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            f.Offset = (1 << 20) - 1;
            f.Write(new byte[] { 7 }, 0, 1, out int _);
            Assert.Equal((ulong)(1 << 20), f.Inode.Size);
            Assert.Equal(t.Vm.FreeAtStart - 1, t.Vm.Buddy.FreeFrames);
            Assert.Equal(Errno.None, f.Inode.Truncate(100));         // shrinking into the hole drops the page
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            Assert.Equal(new byte[100], ReadAt(f, 0, 1000));
            f.Close();
        }

        [Fact]
        public void Append_writes_at_the_end_through_every_handle()
        {
            using var t = new VfsWorld();
            OpenFile a = Open(t, "/log", OpenFlags.Write | OpenFlags.Append | OpenFlags.Create);
            OpenFile b = Open(t, "/log", OpenFlags.Write | OpenFlags.Append);
            OpenFile plain = Open(t, "/log", OpenFlags.Write);
            a.Write(Bytes("one "), 0, 4, out int _);
            b.Write(Bytes("two "), 0, 4, out int _);
            a.Offset = 0;                                       // ignored by an append write
            a.Write(Bytes("three"), 0, 5, out int _);
            Assert.Equal(13ul, a.Offset);
            plain.Write(Bytes("ONE"), 0, 3, out int _);         // not append: at its own offset 0
            OpenFile r = Open(t, "/log", OpenFlags.Read);
            Assert.Equal("ONE two three", Text(ReadAt(r, 0, 64), 64));
            foreach (OpenFile f in new[] { a, b, plain, r }) f.Close();
        }

        [Fact]
        public void Truncation_to_page_boundaries_and_the_zeroed_tail_seen_by_a_later_write()
        {
            using var t = new VfsWorld();
            OpenFile f = Open(t, "/f", OpenFlags.Read | OpenFlags.Write | OpenFlags.Create);
            f.Write(Enumerable.Repeat((byte)0xFF, 3 * 4096).ToArray(), 0, 3 * 4096, out int _);
            Assert.Equal(Errno.None, f.Inode.Truncate(2 * 4096));
            Assert.Equal(t.Vm.FreeAtStart - 2, t.Vm.Buddy.FreeFrames);
            Assert.Equal(Errno.None, f.Inode.Truncate(4097));             // 1 byte into page 1
            Assert.Equal(t.Vm.FreeAtStart - 2, t.Vm.Buddy.FreeFrames);
            f.Offset = 6000;
            f.Write(new byte[] { 1 }, 0, 1, out int _);                   // grow by writing past the end
            byte[] all = ReadAt(f, 0, 10000);
            Assert.Equal(6001, all.Length);
            Assert.True(all.Take(4097).All(b => b == 0xFF));
            Assert.True(all.Skip(4097).Take(6000 - 4097).All(b => b == 0));
            Assert.Equal(1, all[6000]);
            Assert.Equal(Errno.None, f.Inode.Truncate(4096));
            Assert.Equal(t.Vm.FreeAtStart - 1, t.Vm.Buddy.FreeFrames);
            Assert.Equal(Errno.None, f.Inode.Truncate(4096));             // the same size: nothing changes
            Assert.Equal(4096ul, f.Inode.Size);
            Assert.Equal(Errno.None, f.Inode.Truncate(0));
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            Assert.Empty(ReadAt(f, 0, 10));
            f.Close();
        }

        [Fact]
        public void Files_stop_at_one_gigabyte_with_a_short_write_then_efbig()
        {
            using var t = new VfsWorld();
            ulong max = PageCache.MaxPages * 4096;
            OpenFile f = Open(t, "/f", OpenFlags.Read | OpenFlags.Write | OpenFlags.Create);
            f.Offset = max - 10;
            Assert.Equal(Errno.None, f.Write(new byte[20], 0, 20, out int n));
            Assert.Equal(10, n);
            Assert.Equal(max, f.Inode.Size);
            Assert.Equal(max, f.Offset);
            Assert.Equal(Errno.EFBIG, f.Write(new byte[1], 0, 1, out n));
            Assert.Equal(0, n);
            f.Offset = ulong.MaxValue - 5;
            Assert.Equal(Errno.EFBIG, f.Write(new byte[1], 0, 1, out n));
            Assert.Equal(Errno.EFBIG, f.Inode.Truncate(max + 1));
            Assert.Equal(Errno.EFBIG, f.Inode.Truncate(ulong.MaxValue));
            Assert.Equal(max, f.Inode.Size);
            Assert.Equal(Errno.None, f.Inode.Truncate(max));
            Assert.Equal(t.Vm.FreeAtStart - 1, t.Vm.Buddy.FreeFrames);
            Assert.Empty(ReadAt(f, max, 10));
            f.Close();
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/f"));
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Out_of_frames_mid_page_the_short_write_counts_the_bytes_that_fit()
        {
            using var t = new VfsWorld(8);
            uint free = t.Vm.Buddy.FreeFrames;
            OpenFile f = Open(t, "/f", OpenFlags.Read | OpenFlags.Write | OpenFlags.Create);
            f.Offset = 100;
            byte[] data = Enumerable.Range(0, 20 * 4096).Select(i => (byte)(i % 251 + 1)).ToArray();
            Assert.Equal(Errno.None, f.Write(data, 0, data.Length, out int n));
            Assert.Equal((int)free * 4096 - 100, n);
            Assert.Equal(0u, t.Vm.Buddy.FreeFrames);
            Assert.Equal((ulong)free * 4096, f.Inode.Size);
            Assert.Equal(data.Take(n).ToArray(), ReadAt(f, 100, data.Length));
            // Writing inside the pages it has still works with no frame left.
            f.Offset = 0;
            Assert.Equal(Errno.None, f.Write(data, 0, 100, out n));
            Assert.Equal(100, n);
            // A write that needs a new frame first is ENOSPC and changes nothing (past the end:
            // RamFsBugTests.A_write_that_fails_past_the_end_leaves_the_size_alone).
            f.Offset = (ulong)free * 4096;
            Assert.Equal(Errno.ENOSPC, f.Write(data, 0, 1, out n));
            Assert.Equal((ulong)free * 4096, f.Inode.Size);
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/f"));
            Assert.Equal(0u, t.Vm.Buddy.FreeFrames);   // still open
            f.Close();
            Assert.Equal(free, t.Vm.Buddy.FreeFrames);
            t.Vm.AssertHealthy();
        }

        [Fact]
        public void Running_out_of_frames_is_a_short_write_then_enospc_and_the_charge_is_cancelled()
        {
            using var t = new VfsWorld();
            MemoryContainer root = t.Vm.Vm.Charger.Root;
            OpenFile f = Open(t, "/f", OpenFlags.Write | OpenFlags.Create);
            var hog = t.LeaveFrames(3);
            Assert.Equal(Errno.None, f.Write(new byte[5 * 4096], 0, 5 * 4096, out int n));
            Assert.Equal(3 * 4096, n);
            Assert.Equal(0u, t.Vm.Buddy.FreeFrames);
            Assert.Equal(Errno.ENOSPC, f.Write(new byte[1], 0, 1, out n));
            Assert.Equal(3ul * 4096, f.Inode.Size);
            Assert.Equal(3, t.Charged().Count);
            Assert.Equal(3, root.PageUsage);                              // the failed charges were cancelled
            t.Give(hog);
            Assert.Equal(Errno.None, f.Inode.Truncate(4096));
            Assert.Single(t.Charged());                                   // truncation uncharges
            f.Close();
            Assert.Equal(1, t.Vm.Vm.Caches.Count);
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/f"));
            Assert.Empty(t.Charged());
            Assert.Equal(0, t.Vm.Vm.Caches.Count);
            Assert.Equal(0, root.PageUsage + root.NumFiles);
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            t.Vm.AssertHealthy();
        }

        [Fact]
        public unsafe void The_bringers_container_is_charged_and_its_lru_group_holds_the_pages()
        {
            using var t = new VfsWorld();
            {
                var one = t.Owner(1);
                var two = t.Owner(2);
                t.Tasks.Current = one;
                OpenFile f = Open(t, "/f", OpenFlags.Write | OpenFlags.Create);
                f.Write(new byte[4096 * 2], 0, 4096 * 2, out int _);
                t.Tasks.Current = two;
                f.Write(new byte[4096], 0, 4096, out int _);                 // a third page: still one's
                OpenFile g = Open(t, "/g", OpenFlags.Write | OpenFlags.Create);
                g.Write(new byte[1], 0, 1, out int _);
                t.Tasks.Current = null;
                OpenFile h = Open(t, "/h", OpenFlags.Write | OpenFlags.Create);
                h.Write(new byte[1], 0, 1, out int _);
                Assert.Same(one, f.Inode.Mapping.Container);
                Assert.Same(two, g.Inode.Mapping.Container);
                Assert.Null(h.Inode.Mapping.Container);
                Assert.True(h.Inode.Mapping.Charged);
                Assert.Equal(3, t.Charged().Values.Count(x => x == one));
                Assert.Equal(1, t.Charged().Values.Count(x => x == two));
                Assert.Equal(3, one.FilePages);
                Assert.Equal(1, one.NumFiles);
                Assert.Equal(3u, t.Vm.Vm.Lru.InactiveCount(1));
                Assert.Equal(1u, t.Vm.Vm.Lru.InactiveCount(2));
                Assert.Equal(1u, t.Vm.Vm.Lru.InactiveCount(0));
                uint pfn = f.Inode.Mapping.Find(2);
                Assert.Equal((ushort)1, t.Vm.Pages[pfn].ContainerId);
                Assert.Equal(f.Inode.Mapping.Id, t.Vm.Pages[pfn].OwnerId);
                Assert.Equal(2ul, t.Vm.Pages[pfn].OwnerIndex);
                foreach (OpenFile x in new[] { f, g, h }) x.Close();
                foreach (string p in new[] { "/f", "/g", "/h" }) Assert.Equal(Errno.None, t.Vfs.Unlink("/", p));
                Assert.Equal(0u, t.Vm.Vm.Lru.InactiveCount(1) + t.Vm.Vm.Lru.InactiveCount(2) + t.Vm.Vm.Lru.InactiveCount(0));
                Assert.Empty(t.Charged());
                Assert.Equal(0, t.Vm.Vm.Caches.Count);
                Assert.Equal(0, one.NumFiles + two.NumFiles + t.Vm.Vm.Charger.Root.NumFiles);
                t.Vm.AssertHealthy();
            }
        }

        [Fact]
        public void Without_a_task_context_files_are_the_roots()
        {
            using var t = new VfsWorld();
            {
                var fs = new RamFs(t.Vm.Vm, null);
                t.Vfs.Mkdir("/", "/m");
                t.Vfs.Mount("/", "/m", fs);
                t.Tasks.Current = t.Owner(1);   // the mounted ramfs does not ask it
                OpenFile f = Open(t, "/m/f", OpenFlags.Write | OpenFlags.Create);
                f.Write(new byte[10], 0, 10, out int _);
                Assert.True(f.Inode.Mapping.Charged);
                Assert.Null(f.Inode.Mapping.Container);
                Assert.Equal(1u, t.Vm.Vm.Lru.InactiveCount(0));
                f.Close();
            }
        }

        [Fact]
        public void Every_file_has_its_own_registered_cache_until_it_is_gone()
        {
            using var t = new VfsWorld();
            int before = t.Vm.Vm.Caches.Count;
            var files = new List<Inode>();
            for (int i = 0; i < 20; i++)
            {
                OpenFile f = Open(t, "/f" + i, OpenFlags.Write | OpenFlags.Create);
                f.Write(new byte[i * 1000], 0, i * 1000, out int _);
                files.Add(f.Inode);
                f.Close();
            }
            Assert.Equal(before + 20, t.Vm.Vm.Caches.Count);
            Assert.Equal(20, files.Select(x => x.Ino).Distinct().Count());
            Assert.Equal(20, files.Select(x => x.Mapping.Id).Distinct().Count());
            Assert.Same(files[7].Mapping, t.Vm.Vm.Caches.Find(files[7].Mapping.Id));
            Assert.Null(t.At("/").Mapping);
            OpenFile held = Open(t, "/f7", OpenFlags.Read);
            for (int i = 0; i < 20; i++) Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/f" + i));
            Assert.Equal(before + 1, t.Vm.Vm.Caches.Count);
            Assert.False(files[7].Mapping.IsReleased);
            Assert.True(files[8].Mapping.IsReleased);
            Assert.Equal(t.Vm.FreeAtStart - 2, t.Vm.Buddy.FreeFrames);   // f7: 7000 bytes
            held.Close();
            Assert.True(files[7].Mapping.IsReleased);
            Assert.Null(t.Vm.Vm.Caches.Find(files[7].Mapping.Id));
            Assert.Equal(before, t.Vm.Vm.Caches.Count);
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            t.Vm.AssertHealthy();
        }

        [Fact]
        public void An_unlinked_open_file_still_reads_writes_and_grows_and_a_new_file_takes_its_name()
        {
            using var t = new VfsWorld();
            OpenFile a = Open(t, "/f", OpenFlags.Read | OpenFlags.Write | OpenFlags.Create);
            a.Write(Bytes("old"), 0, 3, out int _);
            OpenFile b = Open(t, "/f", OpenFlags.Read);
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/f"));
            a.Offset = 5000;
            Assert.Equal(Errno.None, a.Write(Bytes("more"), 0, 4, out int n));
            Assert.Equal(4, n);
            Assert.Equal(5004ul, a.Inode.Size);
            Assert.Equal(t.Vm.FreeAtStart - 2, t.Vm.Buddy.FreeFrames);
            OpenFile c = Open(t, "/f", OpenFlags.Read | OpenFlags.Write | OpenFlags.Create);
            Assert.NotSame(a.Inode, c.Inode);
            Assert.Equal(0ul, c.Inode.Size);
            c.Write(Bytes("new"), 0, 3, out int _);
            Assert.Equal(t.Vm.FreeAtStart - 3, t.Vm.Buddy.FreeFrames);
            a.Close();
            a.Close();                                               // a second close is no close
            Assert.Equal(t.Vm.FreeAtStart - 3, t.Vm.Buddy.FreeFrames);
            Assert.Equal("old", Text(ReadAt(b, 0, 3), 3));
            Assert.Equal("more", Text(ReadAt(b, 5000, 10), 4));
            b.Close();
            Assert.Equal(t.Vm.FreeAtStart - 1, t.Vm.Buddy.FreeFrames);
            Assert.Equal("new", Text(ReadAt(c, 0, 10), 3));
            c.Close();
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/f"));
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
        }

        [Fact]
        public void Directories_keep_creation_order_through_growth_and_removals_and_count_links()
        {
            using var t = new VfsWorld();
            var expect = new List<string>();
            for (int i = 0; i < 11; i++)
            {
                string name = "e" + (char)('k' - i);   // names not in sorted order
                if (i % 3 == 0) Assert.Equal(Errno.None, t.Vfs.Mkdir("/", name));
                else { Open(t, "/" + name, OpenFlags.Write | OpenFlags.Create).Close(); }
                expect.Add(name);
            }
            Inode root = t.At("/");
            string[] Names() => Enumerable.Range(0, root.EntryCount).Select(i => { Assert.True(root.EntryAt(i, out string n, out Inode _)); return n; }).ToArray();
            Assert.Equal(expect, Names());
            Assert.Equal(2 + 4, root.Links);   // i = 0, 3, 6, 9 are directories
            for (int i = 0; i < root.EntryCount; i++)
            {
                root.EntryAt(i, out string n, out Inode child);
                Assert.Same(t.At("/" + n), child);
            }
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", "/" + expect[3]));
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/" + expect[0 + 1]));
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/" + expect[10]));
            expect.RemoveAt(10);
            expect.RemoveAt(3);
            expect.RemoveAt(1);
            Assert.Equal(expect, Names());
            Assert.Equal(2 + 3, root.Links);
            Assert.False(root.EntryAt(-1, out string none, out Inode nochild));
            Assert.Null(none);
            Assert.Null(nochild);
            Assert.False(root.EntryAt(root.EntryCount, out none, out nochild));
            Open(t, "/" + expect[1], OpenFlags.Read).Close();
            Assert.False(t.At("/" + expect[1]).EntryAt(0, out none, out nochild));
            Assert.Equal(0, t.At("/" + expect[1]).EntryCount);
            Assert.Equal(2, t.At("/" + expect[0]).Links);
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/" + expect[0] + "/sub"));
            Assert.Equal(3, t.At("/" + expect[0]).Links);
            Assert.Equal(2 + 3, root.Links);   // a grandchild is not a link of the root
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", "/" + expect[0] + "/sub"));
            Assert.Equal(2, t.At("/" + expect[0]).Links);
        }
    }
}
