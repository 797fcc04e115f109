// Regressions: VFS behaviour that once differed from Linux (trailing slash on unlink, null paths,
// O_CREAT on a directory, unmounting over a hidden mount), each pinned by what Linux does.
using System;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class RegressionTests
    {
        // Linux (do_unlinkat): a trailing slash after a non-directory is ENOTDIR, and nothing is removed.
        [Fact]
        public void Unlink_of_a_file_with_a_trailing_slash_is_enotdir_and_keeps_the_file()
        {
            using var t = new VfsWorld();
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/f", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            f.Close();
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Unlink("/", "/f/"));
            Assert.Equal(Errno.None, t.Resolve("/f"));
        }

        // Walk and Parent return ENOENT for a null path, but Resolve reads path.Length first.
        [Fact]
        public void A_null_path_is_enoent_everywhere()
        {
            using var t = new VfsWorld();
            Assert.Equal(Errno.ENOENT, t.Vfs.Mkdir("/", null));
            Assert.Equal(Errno.ENOENT, t.Vfs.Resolve("/", null, out Inode _, out string _));
            Assert.Equal(Errno.ENOENT, t.Vfs.Open("/", null, OpenFlags.Read, out OpenFile _));
        }

        // Linux (do_open): O_CREAT on an existing directory is EISDIR, whatever the access mode.
        [Fact]
        public void Open_with_create_of_an_existing_directory_is_eisdir()
        {
            using var t = new VfsWorld();
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/d"));
            Assert.Equal(Errno.EISDIR, t.Vfs.Open("/", "/d", OpenFlags.Read | OpenFlags.Create, out OpenFile _));
        }

        // Mounting over a directory that has a mount inside hides that mount. Linux lets the upper
        // mount go (the hidden one is a child of the mount below, not of it); here Unmount compares
        // path strings, so the upper mount counts the hidden one as "below" it: EBUSY for ever, and
        // the hidden one cannot be named to unmount it first.
        [Fact]
        public void A_mount_over_a_directory_holding_a_mount_can_be_unmounted()
        {
            using var t = new VfsWorld();
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/m"));
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/m/d"));
            var inner = new FakeFs();
            var outer = new FakeFs();
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/m/d", inner));
            Assert.Equal(Errno.None, t.Vfs.Mount("/", "/m", outer));
            Assert.Same(outer.RootDir, t.At("/m"));
            Assert.Equal(Errno.ENOENT, t.Resolve("/m/d"));   // hidden
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/m", null));
            Assert.Same(inner.RootDir, t.At("/m/d"));
            Assert.Equal(Errno.None, t.Vfs.Unmount("/", "/m/d", null));
            Assert.Equal(1, t.Vfs.MountCount);
        }

        // A missing working directory must not crash the kernel: relative paths start at "/".
        [Fact]
        public void A_null_cwd_resolves_relative_paths_from_the_root()
        {
            using var t = new VfsWorld();
            Assert.Equal(Errno.None, t.Vfs.Mkdir(null, "d"));
            Assert.Equal(Errno.None, t.Vfs.Resolve(null, "d/.", out Inode _, out string canonical));
            Assert.Equal("/d", canonical);
        }
    }
}
