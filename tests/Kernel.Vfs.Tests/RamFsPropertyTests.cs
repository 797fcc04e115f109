// Model-based property test of ramfs through the VFS: random histories of create, write (at random
// offsets, many on or next to page boundaries), truncate, unlink, read, and open handles held
// across unlink and written through, on three names, against a model of byte arrays and the set of
// pages each file has touched. After every step: every size and (on reads) every byte matches, the
// frames in use are exactly the model's pages of the live files (named or still open), each is
// charged once to the bringer's container and on its LRU group, and one page cache is registered
// per live file. At the end everything is closed and removed and every frame is back.
using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class RamFsPropertyTests
    {
        private sealed class ModelFile
        {
            public readonly List<byte> Data = new List<byte>();
            public readonly HashSet<long> Pages = new HashSet<long>();

            public void Write(int offset, byte[] bytes)
            {
                if (bytes.Length == 0) return;
                while (Data.Count < offset + bytes.Length) Data.Add(0);
                for (int i = 0; i < bytes.Length; i++) Data[offset + i] = bytes[i];
                for (long p = offset / 4096; p <= (offset + bytes.Length - 1) / 4096; p++) Pages.Add(p);
            }

            public void Truncate(int size)
            {
                if (Data.Count > size) Data.RemoveRange(size, Data.Count - size);
                while (Data.Count < size) Data.Add(0);
                Pages.RemoveWhere(p => p >= (size + 4095L) / 4096);
            }

            public byte[] Slice(int offset, int count) =>
                offset >= Data.Count ? new byte[0] : Data.Skip(offset).Take(Math.Min(count, Data.Count - offset)).ToArray();
        }

        private static readonly Gen<int> Offsets =
            Gen.OneOf(Gen.Int[0, 20000], Gen.Int[0, 5].Select(k => k * 4096), Gen.Int[1, 5].Select(k => k * 4096 - 1));

        private static readonly Gen<int> Lengths =
            Gen.OneOf(Gen.Int[0, 9000], Gen.Int[0, 2].Select(k => k * 4096), Gen.Int[0, 3]);

        [Fact]
        public void Random_file_histories_match_a_byte_array_model()
        {
            Gen.Select(Gen.Int[0, 9], Gen.Int[0, 2], Offsets, Lengths).Array[1, 80].Sample(ops => Run(ops), iter: 300);
        }

        private static void Run((int kind, int which, int offset, int length)[] ops)
        {
            using var t = new VfsWorld(512, 3);
            var owner = t.Owner(1);
            t.Tasks.Current = owner;
            var named = new Dictionary<string, ModelFile>();
            var held = new (ModelFile model, OpenFile file)[3];
            int step = 0;

            foreach (var (kind, which, offset, length) in ops)
            {
                step++;
                string path = "/f" + which;
                named.TryGetValue(path, out ModelFile m);
                byte[] data = Enumerable.Range(0, length).Select(i => (byte)(i * 31 + offset + step * 7 + 1)).ToArray();
                switch (kind)
                {
                    case 0:   // create (no truncation)
                        {
                            Assert.Equal(Errno.None, t.Vfs.Open("/", path, OpenFlags.Write | OpenFlags.Create, out OpenFile f));
                            f.Close();
                            if (m == null) named[path] = new ModelFile();
                            break;
                        }
                    case 1:
                    case 2:   // write through a new handle (created when missing)
                        {
                            Assert.Equal(Errno.None, t.Vfs.Open("/", path, OpenFlags.Write | OpenFlags.Create, out OpenFile f));
                            f.Offset = (ulong)offset;
                            Assert.Equal(Errno.None, f.Write(data, 0, length, out int n));
                            Assert.Equal(length, n);
                            f.Close();
                            if (m == null) named[path] = m = new ModelFile();
                            m.Write(offset, data);
                            break;
                        }
                    case 3:   // truncate, by O_TRUNC when offset is 0
                        if (m == null) Assert.Equal(Errno.ENOENT, t.Resolve(path));
                        else if (offset == 0)
                        {
                            Assert.Equal(Errno.None, t.Vfs.Open("/", path, OpenFlags.Write | OpenFlags.Truncate, out OpenFile f));
                            f.Close();
                            m.Truncate(0);
                        }
                        else
                        {
                            Assert.Equal(Errno.None, t.At(path).Truncate((ulong)offset));
                            m.Truncate(offset);
                        }
                        break;
                    case 4:   // unlink
                        Assert.Equal(m != null ? Errno.None : Errno.ENOENT, t.Vfs.Unlink("/", path));
                        named.Remove(path);
                        break;
                    case 5:   // read a slice by path
                        if (m == null) Assert.Equal(Errno.ENOENT, t.Vfs.Open("/", path, OpenFlags.Read, out OpenFile _));
                        else
                        {
                            Assert.Equal(Errno.None, t.Vfs.Open("/", path, OpenFlags.Read, out OpenFile f));
                            Assert.Equal(m.Slice(offset, length), ReadAt(f, offset, length));
                            f.Close();
                        }
                        break;
                    case 6:   // hold a handle on the named file in slot `which`
                        if (held[which].file == null && m != null)
                        {
                            Assert.Equal(Errno.None, t.Vfs.Open("/", path, OpenFlags.Read | OpenFlags.Write, out OpenFile f));
                            held[which] = (m, f);
                        }
                        break;
                    case 7:   // close the held handle
                        if (held[which].file != null)
                        {
                            held[which].file.Close();
                            held[which] = (null, null);
                        }
                        break;
                    case 8:   // write through the held handle (its file may be unlinked)
                        if (held[which].file != null)
                        {
                            OpenFile f = held[which].file;
                            f.Offset = (ulong)offset;
                            Assert.Equal(Errno.None, f.Write(data, 0, length, out int n));
                            Assert.Equal(length, n);
                            held[which].model.Write(offset, data);
                        }
                        break;
                    case 9:   // read a slice through the held handle
                        if (held[which].file != null)
                            Assert.Equal(held[which].model.Slice(offset, length), ReadAt(held[which].file, offset, length));
                        break;
                }

                foreach (var (p, mf) in named) Assert.Equal((ulong)mf.Data.Count, t.At(p).Size);
                foreach (var (mf, f) in held) if (f != null) Assert.Equal((ulong)mf.Data.Count, f.Inode.Size);
                var live = named.Values.Concat(held.Where(h => h.file != null).Select(h => h.model)).Distinct().ToList();
                int pages = live.Sum(x => x.Pages.Count);
                Assert.Equal(t.Vm.FreeAtStart - (uint)pages, t.Vm.Buddy.FreeFrames);
                var charged = t.Charged();
                Assert.Equal(pages, charged.Count);
                Assert.True(charged.Values.All(c => c == owner));
                Assert.Equal(pages, owner.FilePages);
                Assert.Equal((uint)pages, t.Vm.Vm.Lru.InactiveCount(1) + t.Vm.Vm.Lru.ActiveCount(1));
                Assert.Equal(live.Count, t.Vm.Vm.Caches.Count);
            }

            foreach (var (p, mf) in named)
            {
                Assert.Equal(Errno.None, t.Vfs.Open("/", p, OpenFlags.Read, out OpenFile f));
                Assert.Equal(mf.Data.ToArray(), ReadAt(f, 0, mf.Data.Count + 10));
                f.Close();
            }
            foreach (var (mf, f) in held) if (f != null) { Assert.Equal(mf.Data.ToArray(), ReadAt(f, 0, mf.Data.Count + 10)); f.Close(); }
            foreach (string p in named.Keys) Assert.Equal(Errno.None, t.Vfs.Unlink("/", p));
            Assert.Equal(0, t.At("/").EntryCount);
            Assert.Equal(t.Vm.FreeAtStart, t.Vm.Buddy.FreeFrames);
            Assert.Empty(t.Charged());
            Assert.Equal(0, owner.PageUsage + owner.NumFiles);
            Assert.Equal(0, t.Vm.Vm.Caches.Count);
            t.Vm.AssertHealthy();
        }

        private static byte[] ReadAt(OpenFile f, int offset, int count)
        {
            f.Offset = (ulong)offset;
            var bytes = new List<byte>();
            byte[] buffer = new byte[1000];   // not a page multiple: reads straddle pages
            while (bytes.Count < count)
            {
                Assert.Equal(Errno.None, f.Read(buffer, 0, Math.Min(buffer.Length, count - bytes.Count), out int n));
                if (n == 0) break;
                bytes.AddRange(buffer.Take(n));
            }
            return bytes.ToArray();
        }
    }
}
