// Mounting and unmounting, and a small file system with read-only and write-only files to check
// the VFS's access checks at open (EACCES even for root, as sysfs and configfs attributes).
using System.Collections.Generic;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public sealed class FakeFs : FileSystem
    {
        public readonly FakeDir RootDir;
        public Errno Busy = Errno.None;
        public FakeFs() { RootDir = new FakeDir(this); }
        public override string Type => "fakefs";
        public override Inode Root => RootDir;
        public override Errno CanUnmount() => Busy;
    }

    public sealed class FakeDir : Inode
    {
        public readonly Dictionary<string, Inode> Children = new Dictionary<string, Inode>();
        public FakeDir(FileSystem fs) : base(fs, InodeKind.Directory, ModeDirectory) { }
        public override Errno Lookup(string name, out Inode child) =>
            Children.TryGetValue(name, out child) ? Errno.None : Errno.ENOENT;
    }

    public sealed class FakeFile : Inode
    {
        public int Opens, Closes, Truncates;
        public FakeFile(FileSystem fs, ushort mode) : base(fs, InodeKind.Regular, mode) { }
        public override void Opened() => Opens++;
        public override void Closed() => Closes++;
        public override Errno Truncate(ulong size) { Truncates++; return Errno.None; }
    }

    public class MountTests
    {
        [Fact]
        public void Mounts_are_crossed_both_ways_and_listed_in_order()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/mnt");
            var fs = new FakeFs();
            fs.RootDir.Children["inner"] = new FakeDir(fs);
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/mnt", fs));
            Assert.Same(fs.RootDir, t.At("/mnt"));
            Assert.Same(fs.RootDir.Children["inner"], t.At("/mnt/inner"));
            Assert.Equal("/mnt", t.Canonical("/mnt/inner/.."));
            Assert.Same(t.Root.Root, t.At("/mnt/inner/../.."));
            Assert.Same(t.Root.Root, t.At("..", "/mnt"));
            Assert.Equal(2, t.Vfs.MountCount);
            t.Vfs.MountAt(0, out string p0, out FileSystem f0);
            t.Vfs.MountAt(1, out string p1, out FileSystem f1);
            Assert.Equal(("/", "ramfs", "/mnt", "fakefs"), (p0, f0.Type, p1, f1.Type));
            Assert.Equal(Errno.EBUSY, t.Vfs.Rmdir("/", "/mnt"));
        }

        [Fact]
        public void Mount_and_umount_refuse_what_linux_refuses()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/m1");
            t.Vfs.Mkdir("/", "/m2");
            t.Vfs.Open("/", "/file", OpenFlags.Write | OpenFlags.Create, out OpenFile f);
            f.Close();
            var fs = new FakeFs();
            fs.RootDir.Children["d"] = new FakeDir(fs);
            Assert.Equal(Errno.ENOENT, t.Vfs.Mount("/", "/none", fs));
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Mount("/", "/file", fs));
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/m1", fs));
            Assert.Equal(Errno.EBUSY, t.Vfs.Mount("/", "/m2", fs));            // mounted already
            Assert.Equal(Errno.EBUSY, t.Vfs.Mount("/", "/m1", new FakeFs()));  // onto a mounted root
            var below = new FakeFs();
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/m1/d", below));
            Assert.Equal(Errno.EINVAL, t.Vfs.Unmount("/", "/m2", null));
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/", null));
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m1", null));        // /m1/d lies below
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m1/d", "/m1/d"));   // the shell is in it
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/m1/d", "/m1"));
            fs.Busy = Errno.EBUSY;
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m1", null));
            fs.Busy = Errno.None;
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m1", "/m1"));
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/m1", "/m10"));
            Assert.Equal(1, t.Vfs.MountCount);
            Assert.Equal(0, t.At("/m1").EntryCount);   // the ramfs directory again
        }

        [Fact]
        public void Open_checks_the_owner_bits_and_pairs_opened_with_closed()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/m");
            var fs = new FakeFs();
            var ro = new FakeFile(fs, 0x124);
            var wo = new FakeFile(fs, 0x80);
            fs.RootDir.Children["ro"] = ro;
            fs.RootDir.Children["wo"] = wo;
            t.Vfs.Mount("/", "/m", fs);
            Assert.Equal(Errno.EACCES, t.Vfs.Open("/", "/m/ro", OpenFlags.Write, out OpenFile _));
            Assert.Equal(Errno.EACCES, t.Vfs.Open("/", "/m/ro", OpenFlags.Read | OpenFlags.Write, out OpenFile _));
            Assert.Equal(Errno.EACCES, t.Vfs.Open("/", "/m/wo", OpenFlags.Read, out OpenFile _));
            Assert.Equal(Errno.EACCES, t.Vfs.Open("/", "/m/new", OpenFlags.Write | OpenFlags.Create, out OpenFile _));   // no create
            Assert.Equal(Errno.EPERM, t.Vfs.Mkdir("/", "/m/d"));
            Assert.Equal(Errno.EPERM, t.Vfs.Unlink("/", "/m/ro"));
            Assert.Equal(0, ro.Opens + wo.Opens);
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/m/wo", OpenFlags.Write | OpenFlags.Truncate, out OpenFile f));
            Assert.Equal(1, wo.Truncates);
            f.Close();
            f.Close();
            Assert.Equal((1, 1), (wo.Opens, wo.Closes));
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/m/ro", OpenFlags.Read, out f));
            Assert.Equal(Errno.EINVAL, f.Read(new byte[4], 0, 4, out int _));   // the default Read of a file without one
            f.Close();
        }
    }
}
