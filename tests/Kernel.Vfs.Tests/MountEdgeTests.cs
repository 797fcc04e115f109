// The mount table past its first slots, mounts inside mounts (".." climbing out of each), a second
// ramfs mounted in the first, and the remaining refusals of mount and umount.
using System.Linq;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class MountEdgeTests
    {
        private static string[] Table(Vfs vfs) =>
            Enumerable.Range(0, vfs.MountCount).Select(i => { vfs.MountAt(i, out string p, out FileSystem _); return p; }).ToArray();

        [Fact]
        public void The_mount_table_grows_past_eight_and_keeps_its_order_when_a_middle_entry_goes()
        {
            using var t = new VfsWorld();
            var fss = new FakeFs[12];
            for (int i = 0; i < fss.Length; i++)
            {
                Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/m" + i));
                fss[i] = new FakeFs();
                Assert.Equal(Errno.None, t.Vfs.Mount("/", "m" + i + "/", fss[i]));   // relative, trailing slash
            }
            Assert.Equal(13, t.Vfs.MountCount);
            Assert.Equal(new[] { "/" }.Concat(Enumerable.Range(0, 12).Select(i => "/m" + i)), Table(t.Vfs));
            for (int i = 0; i < fss.Length; i++)
            {
                t.Vfs.MountAt(i + 1, out string _, out FileSystem fs);
                Assert.Same(fss[i], fs);
                Assert.Same(fss[i].RootDir, t.At("/m" + i));
            }
            Assert.Equal(Errno.None, t.Vfs.Unmount("/m3", ".", null));
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/m9/", null));
            Assert.Equal(new[] { "/", "/m0", "/m1", "/m2", "/m4", "/m5", "/m6", "/m7", "/m8", "/m10", "/m11" }, Table(t.Vfs));
            Assert.Same(fss[4].RootDir, t.At("/m4"));
            Assert.Equal(InodeKind.Directory, t.At("/m3").Kind);
            Assert.NotSame(fss[3].RootDir, t.At("/m3"));
            t.Vfs.MountAt(11, out string none, out FileSystem nofs);
            t.Vfs.MountAt(-1, out string none2, out FileSystem nofs2);
            Assert.Null(none);
            Assert.Null(nofs);
            Assert.Null(none2);
            Assert.Null(nofs2);
            // An unmounted file system can be mounted again.
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/m9", fss[3]));
            Assert.Same(fss[3].RootDir, t.At("/m9"));
        }

        [Fact]
        public void Nested_mounts_are_crossed_down_and_dotdot_climbs_out_of_each()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/a");
            var outer = new FakeFs();
            var mid = new FakeDir(outer);
            outer.RootDir.Children["mid"] = mid;
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/a", outer));
            var inner = new RamFs(t.Vm.Vm, t.Tasks);
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/a/mid", inner));
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/a/mid/x"));
            Assert.Equal(Errno.None, t.Vfs.Open("/a/mid/x", "file", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            Assert.Equal("/a/mid/x/file", f.Path);
            Assert.Same(inner, f.Inode.Fs);
            f.Close();
            Assert.Equal(1, inner.Root.EntryCount);
            Assert.Equal(1, t.Root.Root.EntryCount);   // the root ramfs holds only "a"
            Assert.Same(inner.Root, t.At("/a/mid/x/.."));
            Assert.Same(outer.RootDir, t.At("/a/mid/x/../.."));
            Assert.Same(t.Root.Root, t.At("/a/mid/x/../../.."));
            Assert.Same(t.Root.Root, t.At("../../../../..", "/a/mid/x"));
            Assert.Equal("/a/mid", t.Canonical("x/..", "/a/mid"));
            Assert.Equal("/a", t.Canonical("/a/mid/.."));
            // Only the innermost mount goes first; the outer one then goes too.
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/a", null));
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/a/mid", "/a/mid/x"));   // the shell is below it
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/a/mid", "/a"));
            Assert.Same(mid, t.At("/a/mid"));
            Assert.Equal(Errno.ENOENT, t.Resolve("/a/mid/x"));
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/a", "/a/mid"));
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/a", "/"));
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", "/a"));
        }

        [Fact]
        public void Mount_refuses_the_root_a_null_file_system_and_bad_targets()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/d");
            t.Vfs.Open("/", "/d/f", OpenFlags.Write | OpenFlags.Create, out OpenFile f);
            f.Close();
            var fs = new FakeFs();
            Assert.Equal(Errno.EBUSY, t.Vfs.Mount("/", "/", fs));          // "/" is a mounted root
            Assert.Equal(Errno.EBUSY, t.Vfs.Mount("/", "/d", t.Root));     // the root file system again
            Assert.Equal(Errno.EINVAL, t.Vfs.Mount("/", "/d", null));
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Mount("/", "/d/f/", fs));
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Mount("/", "/d/f/x", fs));
            Assert.Equal(Errno.ENOENT, t.Vfs.Mount("/", "/d/none/x", fs));
            Assert.Equal(Errno.ENOENT, t.Vfs.Mount("/", "", fs));
            Assert.Equal(1, t.Vfs.MountCount);
            Assert.Equal(Errno.ENOENT, t.Vfs.Unmount("/", "/none", null));
            Assert.Equal(Errno.EINVAL, t.Vfs.Unmount("/", "/d/f", null));
            Assert.Equal(Errno.EINVAL, t.Vfs.Unmount("/", "/d", null));
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/d", "..", null));
        }

        [Fact]
        public void Umount_is_busy_for_a_working_directory_at_or_below_the_mount_only()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/m");
            var fs = new FakeFs();
            fs.RootDir.Children["sub"] = new FakeDir(fs);
            t.Vfs.Mount("/", "/m", fs);
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m", "/m"));
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m", "/m/sub"));
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m", "/m/sub/deeper"));
            fs.Busy = Errno.EBUSY;
            Assert.Equal(Errno.EBUSY, t.Vfs.Unmount("/", "/m", "/"));
            fs.Busy = Errno.EPERM;   // whatever CanUnmount says is the answer
            Assert.Equal(Errno.EPERM, t.Vfs.Unmount("/", "/m", "/"));
            Assert.Equal(2, t.Vfs.MountCount);
            Assert.Same(fs.RootDir, t.At("/m"));
            fs.Busy = Errno.None;
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/m/sub/..", "/mm"));
            Assert.Equal(1, t.Vfs.MountCount);
        }

        [Fact]
        public void A_mountpoint_cannot_be_removed_but_its_parent_tree_is_untouched()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/p");
            t.Vfs.Mkdir("/", "/p/m");
            var fs = new RamFs(t.Vm.Vm, t.Tasks);
            t.Vfs.Mount("/", "/p/m", fs);
            Assert.Equal(Errno.EBUSY, t.Vfs.Rmdir("/", "/p/m"));
            Assert.Equal(Errno.EBUSY, t.Vfs.Rmdir("/", "/p/m/"));
            Assert.Equal(Errno.EBUSY, t.Vfs.Rmdir("/p", "m"));
            Assert.Equal(Errno.EINVAL, t.Vfs.Rmdir("/p/m", "."));
            Assert.Equal(Errno.ENOTEMPTY, t.Vfs.Rmdir("/", "/p"));
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/", "/p/m"));
            Assert.Equal(Errno.EISDIR, t.Vfs.Unlink("/", "/p/m"));
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/p/m", null));
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", "/p/m"));
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", "/p"));
        }
    }
}
