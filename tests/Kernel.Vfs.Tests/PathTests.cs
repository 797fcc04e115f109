using System.Collections.Generic;
// Path resolution and the tree operations of the VFS over ramfs: absolute and relative paths,
// ".", "..", repeated and trailing slashes, errors, mounts crossed both ways, and the errno
// each refused operation gives.
using System;
using Kernel.Abi;
using Kernel.Mm;
using Kernel.Mm.Tests;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public sealed class NoTask : TaskContext
    {
        public MemoryContainer Current;
        public override MemoryContainer CurrentContainer => Current;
    }

    public sealed class VfsWorld : IDisposable
    {
        public readonly VmWorld Vm;
        public readonly RamFs Root;
        public readonly Vfs Vfs;
        public readonly NoTask Tasks = new NoTask();

        public VfsWorld(uint frames = 256, int lruGroups = 8)
        {
            Vm = new VmWorld(frames, lruGroups);
            Root = new RamFs(Vm.Vm, Tasks);
            Vfs = new Vfs(Root);
        }

        // A container registered with the charger (the containers layer does this at mkdir).
        public MemoryContainer Owner(ushort id)
        {
            var c = new MemoryContainer(id, long.MaxValue);
            Vm.Vm.Charger.Register(c);
            return c;
        }

        // Every charged page-cache frame and the container it is charged to, from the frames.
        public unsafe Dictionary<uint, MemoryContainer> Charged()
        {
            var d = new Dictionary<uint, MemoryContainer>();
            for (uint pfn = 0; pfn < Vm.M.Frames; pfn++)
                if ((Vm.Pages[pfn].Flags & PageFlags.File) != 0) d[pfn] = Vm.Vm.Charger.Find(Vm.Pages[pfn].ContainerId);
            return d;
        }

        // Takes every free frame but `left`, so that the page cache runs out after that many.
        public List<uint> LeaveFrames(uint left)
        {
            var hog = new List<uint>();
            while (Vm.Buddy.FreeFrames > left && Vm.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint f)) hog.Add(f);
            return hog;
        }

        public void Give(List<uint> hog)
        {
            foreach (uint f in hog) Vm.Buddy.Free(f, 0);
        }

        public Inode At(string path, string cwd = "/")
        {
            Assert.Equal(Errno.None, Vfs.Resolve(cwd, path, out Inode inode, out string _));
            return inode;
        }

        public string Canonical(string path, string cwd = "/")
        {
            Assert.Equal(Errno.None, Vfs.Resolve(cwd, path, out Inode _, out string canonical));
            return canonical;
        }

        public Errno Resolve(string path, string cwd = "/") => Vfs.Resolve(cwd, path, out Inode _, out string _);

        public void Dispose() => Vm.Dispose();
    }

    public class PathTests
    {
        private static VfsWorld Sample()
        {
            var t = new VfsWorld();
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/a"));
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/a/b"));
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/a/f", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            f.Close();
            return t;
        }

        [Theory]
        [InlineData("/", "/", "/")]
        [InlineData("/", "/a", "/a")]
        [InlineData("/", "//a///b//", "/a/b")]
        [InlineData("/", "/a/./b/.", "/a/b")]
        [InlineData("/", "/a/b/..", "/a")]
        [InlineData("/", "/..", "/")]
        [InlineData("/", "/../../a", "/a")]
        [InlineData("/a", "b", "/a/b")]
        [InlineData("/a/b", "..", "/a")]
        [InlineData("/a/b", "../..", "/")]
        [InlineData("/a/b", "../../../..", "/")]
        [InlineData("/a/b", ".", "/a/b")]
        [InlineData("/a", "f", "/a/f")]
        public void Paths_resolve_to_canonical_names(string cwd, string path, string canonical)
        {
            using VfsWorld t = Sample();
            Assert.Equal(canonical, t.Canonical(path, cwd));
        }

        [Theory]
        [InlineData("", Errno.ENOENT)]
        [InlineData("/nope", Errno.ENOENT)]
        [InlineData("/a/nope/b", Errno.ENOENT)]
        [InlineData("/a/f/x", Errno.ENOTDIR)]
        [InlineData("/a/f/", Errno.ENOTDIR)]
        [InlineData("/a/f/..", Errno.ENOTDIR)]
        public void Bad_paths_give_the_linux_errno(string path, Errno want)
        {
            using VfsWorld t = Sample();
            Assert.Equal(want, t.Resolve(path));
        }

        [Fact]
        public void Names_longer_than_255_and_paths_longer_than_4096_are_enametoolong()
        {
            using VfsWorld t = Sample();
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/" + new string('n', 255)));
            Assert.Equal(Errno.ENAMETOOLONG, t.Vfs.Mkdir("/", "/" + new string('n', 256)));
            Assert.Equal(Errno.ENAMETOOLONG, t.Resolve("/" + new string('n', 256)));
            Assert.Equal(Errno.ENAMETOOLONG, t.Resolve("/" + string.Join("/", Repeat("a", 2100))));   // 4,200 characters
        }

        private static string[] Repeat(string s, int n)
        {
            var r = new string[n];
            for (int i = 0; i < n; i++) r[i] = s;
            return r;
        }

        [Fact]
        public void Deep_paths_resolve_past_the_walks_first_stack()
        {
            using var t = new VfsWorld();
            string path = "";
            for (int i = 0; i < 40; i++)
            {
                path += "/d" + i;
                Assert.Equal(Errno.None, t.Vfs.Mkdir("/", path));
            }
            Assert.Equal(path, t.Canonical(path + "/./"));
            Assert.Equal("/d0/d1", t.Canonical("../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../..", path));
        }

        [Fact]
        public void Tree_operations_refuse_with_the_right_errno_and_change_nothing()
        {
            using VfsWorld t = Sample();
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/", "/a"));
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/", "/a/f"));
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/", "/"));
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/a", "."));
            Assert.Equal(Errno.ENOENT, t.Vfs.Mkdir("/", "/x/y"));
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Mkdir("/", "/a/f/y"));
            Assert.Equal(Errno.ENOTEMPTY, t.Vfs.Rmdir("/", "/a"));
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Rmdir("/", "/a/f"));
            Assert.Equal(Errno.EBUSY, t.Vfs.Rmdir("/", "/"));
            Assert.Equal(Errno.EINVAL, t.Vfs.Rmdir("/a/b", "."));
            Assert.Equal(Errno.ENOENT, t.Vfs.Rmdir("/", "/zz"));
            Assert.Equal(Errno.EISDIR, t.Vfs.Unlink("/", "/a/b"));
            Assert.Equal(Errno.ENOENT, t.Vfs.Unlink("/", "/a/zz"));
            Assert.Equal(Errno.EISDIR, t.Vfs.Unlink("/", "/"));
            Assert.Equal(2, t.At("/a").EntryCount);
            Assert.Equal(3, t.At("/a").Links);   // ".", its name, and b's ".."
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/a", "b/"));
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/a/f"));
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", "/a"));
            Assert.Equal(0, t.At("/").EntryCount);
        }

        [Fact]
        public void Open_flags_create_truncate_append_and_check_access()
        {
            using VfsWorld t = Sample();
            byte[] hello = { (byte)'h', (byte)'i' };
            Assert.Equal(Errno.ENOENT, t.Vfs.Open("/", "/new", OpenFlags.Write, out OpenFile _));
            Assert.Equal(Errno.EISDIR, t.Vfs.Open("/", "/a", OpenFlags.Write, out OpenFile _));
            Assert.Equal(Errno.EISDIR, t.Vfs.Open("/", "/new/", OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.Equal(Errno.None, t.Vfs.Open("/a", "new", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            Assert.Equal("/a/new", f.Path);
            Assert.Equal(Errno.None, f.Write(hello, 0, 2, out int n));
            Assert.Equal(Errno.EBADF, f.Read(new byte[4], 0, 4, out int _));
            f.Close();
            Assert.Equal(Errno.EBADF, f.Write(hello, 0, 2, out int _));
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/a/new", OpenFlags.Write | OpenFlags.Append, out f));
            f.Write(hello, 0, 2, out n);
            f.Write(hello, 0, 1, out n);
            f.Close();
            Assert.Equal(5ul, t.At("/a/new").Size);
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/a/new", OpenFlags.Read, out f));
            Assert.Equal(Errno.EBADF, f.Write(hello, 0, 2, out int _));
            Assert.Equal(Errno.EFAULT, f.Read(new byte[2], 1, 2, out int _));
            f.Close();
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/a/new", OpenFlags.Write | OpenFlags.Truncate, out f));
            f.Close();
            Assert.Equal(0ul, t.At("/a/new").Size);
        }
    }
}
