// Path resolution at its limits (exact PATH_MAX and NAME_MAX boundaries, the walk's depth limit,
// relative paths from a working directory that went away) and the errno of every tree operation
// for names of 255 and 256 characters, ".", ".." and trailing slashes.
using System.Linq;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class PathEdgeTests
    {
        private static string Dots(int n) => string.Concat(Enumerable.Repeat("./", n));

        [Fact]
        public void A_path_of_4096_characters_resolves_and_one_of_4097_is_enametoolong()
        {
            using var t = new VfsWorld();
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/a"));
            string path = "/" + Dots(2047) + "a";   // 1 + 4094 + 1
            Assert.Equal(4096, path.Length);
            Assert.Equal("/a", t.Canonical(path));
            Assert.Equal(Errno.ENAMETOOLONG, t.Resolve("/" + path));
            Assert.Equal(Errno.ENAMETOOLONG, t.Vfs.Mkdir("/", "/" + path + "/b"));
            Assert.Equal(Errno.ENAMETOOLONG, t.Vfs.Open("/", "/" + path, OpenFlags.Read, out OpenFile _));
            // Relative: the limit is on the path given, not on cwd + path.
            Assert.Equal("/", t.Canonical(Dots(2047) + "..", "/a/" + Dots(10)));
        }

        [Fact]
        public void A_component_of_255_characters_is_a_name_and_256_is_enametoolong_everywhere()
        {
            using var t = new VfsWorld();
            string n255 = new string('x', 255), n256 = new string('y', 256);
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/" + n255, OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            Assert.Equal("/" + n255, f.Path);
            f.Close();
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/", "/d" + new string('d', 254)));
            Assert.Equal(Errno.ENAMETOOLONG, t.Vfs.Open("/", "/" + n256, OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.Equal(Errno.ENAMETOOLONG, t.Vfs.Open("/", n256, OpenFlags.Read, out OpenFile _));
            Assert.Equal(Errno.ENAMETOOLONG, t.Vfs.Mkdir("/", n256));
            Assert.Equal(Errno.ENAMETOOLONG, t.Vfs.Rmdir("/", "/" + n256));
            Assert.Equal(Errno.ENAMETOOLONG, t.Vfs.Unlink("/", "/" + n256));
            Assert.Equal(Errno.ENAMETOOLONG, t.Resolve("/" + n256 + "/x"));   // in the middle too
            Assert.Equal(Errno.ENAMETOOLONG, t.Resolve(n256, "/"));
            Assert.Equal(2, t.At("/").EntryCount);   // nothing made by the refused calls
            Assert.Equal(Errno.None, t.Vfs.Unlink("/", "/" + n255));
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", "/d" + new string('d', 254)));
            Assert.Equal(0, t.At("/").EntryCount);
        }

        [Fact]
        public void The_walk_holds_255_components_and_refuses_the_256th()
        {
            using var t = new VfsWorld();
            string path = "";
            for (int i = 0; i < 256; i++)
            {
                path += "/d";
                Assert.Equal(Errno.None, t.Vfs.Mkdir("/", path));   // the parent walk is one shorter
            }
            string deepest = path.Substring(0, path.Length - 2);
            Assert.Equal(255, deepest.Count(c => c == '/'));
            Assert.Equal(deepest, t.Canonical(deepest));
            Assert.Equal(Errno.ENAMETOOLONG, t.Resolve(path));
            Assert.Equal(Errno.ENAMETOOLONG, t.Resolve("d", deepest));
            Assert.Equal(deepest, t.Canonical("../d", deepest));   // ".." makes room again
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", path));     // the parent walk is 255 deep
        }

        [Theory]
        [InlineData("/a/b", "", Errno.ENOENT)]
        [InlineData("/a/b", "nope", Errno.ENOENT)]
        [InlineData("/a/b", "../f/", Errno.ENOTDIR)]
        [InlineData("/a/b", "../f/.", Errno.ENOTDIR)]
        [InlineData("/a/b", "../../a/f/g", Errno.ENOTDIR)]
        [InlineData("/a", "f//", Errno.ENOTDIR)]
        public void Relative_paths_fail_like_absolute_ones(string cwd, string path, Errno want)
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/a");
            t.Vfs.Mkdir("/", "/a/b");
            t.Vfs.Open("/", "/a/f", OpenFlags.Write | OpenFlags.Create, out OpenFile f);
            f.Close();
            Assert.Equal(want, t.Resolve(path, cwd));
        }

        [Fact]
        public void Relative_paths_from_a_removed_working_directory_are_enoent_but_absolute_ones_work()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/gone");
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/gone", "/gone"));
            Assert.Equal(Errno.ENOENT, t.Resolve(".", "/gone"));
            Assert.Equal(Errno.ENOENT, t.Vfs.Mkdir("/gone", "x"));
            Assert.Equal(Errno.ENOENT, t.Vfs.Open("/gone", "x", OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.Equal("/", t.Canonical("/", "/gone"));
        }

        [Fact]
        public void Resolution_returns_the_same_inode_however_the_path_is_spelled()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/a");
            t.Vfs.Mkdir("/", "/a/b");
            Inode b = t.At("/a/b");
            foreach (string p in new[] { "/a/b", "/a/b/", "//a//b//", "/a/./b/.", "/../a/b/../b", "/a/b/../../a/b" })
                Assert.Same(b, t.At(p));
            Assert.Same(b, t.At("b", "/a"));
            Assert.Same(b, t.At("./b/", "/a"));
            Assert.Same(b, t.At("../a/b", "/a"));
            Assert.Same(t.Root.Root, t.At("/.."));
            Assert.Same(t.Root.Root, t.At("..", "/"));
            Assert.Equal("/", t.Canonical("//"));
            Assert.Equal("/", t.Canonical("/./"));
            Assert.Equal(Errno.None, t.Vfs.Stat("/a", "b", out Inode s));
            Assert.Same(b, s);
        }

        [Fact]
        public void Mkdir_rmdir_and_unlink_of_dots_slashes_and_the_root()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/a");
            t.Vfs.Mkdir("/", "/a/b");
            t.Vfs.Open("/", "/a/f", OpenFlags.Write | OpenFlags.Create, out OpenFile f);
            f.Close();
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/", "//"));
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/a", ".."));
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/", "/a/b/"));
            Assert.Equal(Errno.EEXIST, t.Vfs.Mkdir("/", "/a/f/"));   // Linux: mkdir("file/") is EEXIST
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Mkdir("/", "/a/f/x"));
            Assert.Equal(Errno.ENOENT, t.Vfs.Mkdir("/", ""));
            Assert.Equal(Errno.ENOENT, t.Vfs.Rmdir("/", ""));
            Assert.Equal(Errno.ENOENT, t.Vfs.Unlink("/", ""));
            Assert.Equal(Errno.EBUSY, t.Vfs.Rmdir("/a", "//"));
            Assert.Equal(Errno.EINVAL, t.Vfs.Rmdir("/", "/a/b/."));
            Assert.Equal(Errno.EINVAL, t.Vfs.Rmdir("/a", "./"));
            Assert.Equal(Errno.ENOTEMPTY, t.Vfs.Rmdir("/", "/a/b/.."));
            Assert.Equal(Errno.ENOTEMPTY, t.Vfs.Rmdir("/a/b", ".."));
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Rmdir("/", "/a/f/"));
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Rmdir("/", "/a/f/x"));
            Assert.Equal(Errno.ENOENT, t.Vfs.Rmdir("/", "/a/zz/x"));
            Assert.Equal(Errno.EISDIR, t.Vfs.Unlink("/a", "."));
            Assert.Equal(Errno.EISDIR, t.Vfs.Unlink("/a", ".."));
            Assert.Equal(Errno.EISDIR, t.Vfs.Unlink("/", "/a/b/"));
            Assert.Equal(Errno.ENOTDIR, t.Vfs.Unlink("/", "/a/f/x"));
            Assert.Equal(Errno.ENOENT, t.Vfs.Unlink("/", "/a/zz/x"));
            Assert.Equal(2, t.At("/a").EntryCount);
            Assert.Equal(Errno.None, t.Vfs.Mkdir("/a", "c/"));
            Assert.Equal(Errno.None, t.Vfs.Rmdir("/", "/a/./c//"));
            Assert.Equal(Errno.ENOENT, t.Vfs.Rmdir("/", "/a/c"));
            Assert.Equal(Errno.None, t.Vfs.Unlink("/a/b", "../f"));
            Assert.Equal(Errno.ENOENT, t.Vfs.Unlink("/", "/a/f"));
        }

        [Fact]
        public void Open_of_directories_and_with_create_through_odd_paths()
        {
            using var t = new VfsWorld();
            t.Vfs.Mkdir("/", "/d");
            Assert.Equal(Errno.EISDIR, t.Vfs.Open("/", "/d", OpenFlags.Read | OpenFlags.Write, out OpenFile _));
            Assert.Equal(Errno.EISDIR, t.Vfs.Open("/", "/", OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.Equal(Errno.EISDIR, t.Vfs.Open("/d", ".", OpenFlags.Write, out OpenFile _));
            Assert.Equal(Errno.ENOENT, t.Vfs.Open("/", "/nodir/x", OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.Equal(Errno.EISDIR, t.Vfs.Open("/", "/d/new/", OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.Equal(Errno.ENOENT, t.Resolve("/d/new"));   // nothing was made
            // A directory opens read-only; reading it is EISDIR.
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/d/", OpenFlags.Read, out OpenFile dir));
            Assert.Equal("/d", dir.Path);
            Assert.Equal(Errno.EISDIR, dir.Read(new byte[8], 0, 8, out int n));
            Assert.Equal(0, n);
            dir.Close();
            // Create through "..", "." and repeated slashes gives the canonical path.
            Assert.Equal(Errno.None, t.Vfs.Open("/d", "..//./d/.//new", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            Assert.Equal("/d/new", f.Path);
            f.Close();
            Assert.Equal(Errno.None, t.Vfs.Open("/", "new2", OpenFlags.Write | OpenFlags.Create, out f));
            Assert.Equal("/new2", f.Path);
            f.Close();
            // Create of an existing file opens it (no O_EXCL) and keeps its bytes.
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/d/new", OpenFlags.Write, out f));
            f.Write(new byte[] { 5, 6 }, 0, 2, out int _);
            f.Close();
            Assert.Equal(Errno.None, t.Vfs.Open("/", "/d/new", OpenFlags.Read | OpenFlags.Create, out f));
            Assert.Equal(2ul, f.Inode.Size);
            f.Close();
            Assert.Equal(1, t.At("/d").EntryCount);
            Assert.Equal(2, t.At("/").EntryCount);
        }
    }
}
