// configfs through the VFS, as the shell drives it: /config/containers with mkdir/rmdir, the
// attribute files with their modes (EACCES the other way), what configfs refuses, and umount.
using System.Text;
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Containers.Tests
{
    public class ConfigFsTests
    {
        private sealed class NoTask : TaskContext
        {
            public override MemoryContainer CurrentContainer => null;
        }

        private static Vfs.Vfs Tree(ContainerWorld w, out ConfigFs fs)
        {
            var vfs = new Vfs.Vfs(new RamFs(w.Mm, new NoTask()));
            Assert.Equal(Errno.None, vfs.Mkdir("/", "/config"));
            fs = new ConfigFs(w.Table);
            Assert.Equal(Errno.None, vfs.Mount("/", "/config", fs));
            return vfs;
        }

        private static Errno Write(Vfs.Vfs vfs, string path, string text)
        {
            Errno e = vfs.Open("/", path, OpenFlags.Write | OpenFlags.Create | OpenFlags.Truncate, out OpenFile f);
            if (e != Errno.None) return e;
            byte[] bytes = Encoding.ASCII.GetBytes(text);
            e = f.Write(bytes, 0, bytes.Length, out int written);
            f.Close();
            if (e == Errno.None) Assert.Equal(bytes.Length, written);
            return e;
        }

        private static string Read(Vfs.Vfs vfs, string path)
        {
            Assert.Equal(Errno.None, vfs.Open("/", path, OpenFlags.Read, out OpenFile f));
            var text = new StringBuilder();
            byte[] buffer = new byte[3];   // small reads: offsets must work
            while (true)
            {
                Assert.Equal(Errno.None, f.Read(buffer, 0, buffer.Length, out int n));
                if (n == 0) break;
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            f.Close();
            return text.ToString();
        }

        [Fact]
        public void Mkdir_makes_a_container_whose_files_read_and_write()
        {
            using var w = new ContainerWorld();
            Vfs.Vfs vfs = Tree(w, out _);
            Assert.Equal(Errno.None, vfs.Mkdir("/", "/config/containers/web"));
            Container c = w.Table.Find("web");
            Assert.NotNull(c);
            Assert.Equal(c.Id + "\n", Read(vfs, "/config/containers/web/id"));
            Assert.Equal("100000\n", Read(vfs, "/config/containers/web/page_limit"));
            Assert.Equal(Errno.None, Write(vfs, "/config/containers/web/page_limit", "1234\n"));
            Assert.Equal("1234\n", Read(vfs, "/config/containers/web/page_limit"));
            Assert.Equal(Errno.EINVAL, Write(vfs, "/config/containers/web/task_limit", "1xx\n"));
            Assert.Equal("100\n", Read(vfs, "/config/containers/web/task_limit"));
            FakeTask t = w.Spawn();
            Assert.Equal(Errno.None, Write(vfs, "/config/containers/web/addtask", t.Pid + "\n"));
            Assert.Equal(t.Pid + "\n", Read(vfs, "/config/containers/web/showtasks"));
            Assert.Equal("1\n", Read(vfs, "/config/containers/web/num_tasks"));
            Assert.Equal(Errno.EBUSY, vfs.Rmdir("/", "/config/containers/web"));
            Assert.Equal(Errno.None, Write(vfs, "/config/containers/web/rmtask", t.Pid.ToString()));
            Assert.Equal(Errno.None, vfs.Rmdir("/", "/config/containers/web"));
            Assert.Null(w.Table.Find("web"));
            Assert.Equal(Errno.ENOENT, vfs.Resolve("/", "/config/containers/web", out Inode _, out string _));
        }

        [Fact]
        public void The_tree_lists_description_and_containers_in_order()
        {
            using var w = new ContainerWorld();
            Vfs.Vfs vfs = Tree(w, out _);
            vfs.Mkdir("/", "/config/containers/b");
            vfs.Mkdir("/", "/config/containers/a");
            Assert.Equal(Errno.None, vfs.Resolve("/", "/config/containers", out Inode dir, out string _));
            Assert.Equal(3, dir.EntryCount);
            var names = new string[3];
            for (int i = 0; i < 3; i++) { Assert.True(dir.EntryAt(i, out names[i], out Inode _)); }
            Assert.Equal(new[] { "description", "b", "a" }, names);
            Assert.EndsWith("\n", Read(vfs, "/config/containers/description"));
            Assert.Equal(Errno.None, vfs.Resolve("/", "/config/containers/a", out Inode a, out string _));
            Assert.Equal(w.Table.Attributes.Count, a.EntryCount);
            Assert.Equal(25, a.EntryCount);   // 17 from the 2006 patch and memcg, 8 from reclaim
        }

        [Fact]
        public void Configfs_refuses_what_configfs_refuses()
        {
            using var w = new ContainerWorld();
            Vfs.Vfs vfs = Tree(w, out ConfigFs fs);
            vfs.Mkdir("/", "/config/containers/x");
            Assert.Equal(Errno.EPERM, vfs.Mkdir("/", "/config/containers/x/sub"));
            Assert.Equal(Errno.EPERM, vfs.Mkdir("/", "/config/other"));
            Assert.Equal(Errno.EINVAL, vfs.Mkdir("/", "/config/containers/bad name"));
            Assert.Equal(Errno.EEXIST, vfs.Mkdir("/", "/config/containers/description"));
            Assert.Equal(Errno.EACCES, vfs.Open("/", "/config/containers/x/new", OpenFlags.Write | OpenFlags.Create, out OpenFile _));
            Assert.Equal(Errno.EPERM, vfs.Unlink("/", "/config/containers/x/id"));
            Assert.Equal(Errno.EPERM, vfs.Rmdir("/", "/config/containers"));
            Assert.Equal(Errno.ENOTDIR, vfs.Rmdir("/", "/config/containers/description"));
            Assert.Equal(Errno.EACCES, vfs.Open("/", "/config/containers/x/addtask", OpenFlags.Read, out OpenFile _));
            Assert.Equal(Errno.EACCES, vfs.Open("/", "/config/containers/x/rmtask", OpenFlags.Read, out OpenFile _));
            for (int i = 0; i < w.Table.Attributes.Count; i++)
            {
                ConfigAttribute a = w.Table.Attributes.At(i);
                Errno e = Write(vfs, "/config/containers/x/" + a.Name, "1\n");
                if ((a.Mode & 0x80) == 0) Assert.Equal(Errno.EACCES, e);
            }
            Assert.Equal(Errno.EACCES, Write(vfs, "/config/containers/description", "x"));
            Assert.Equal(Errno.EBUSY, vfs.Unmount("/", "/config", null));
            Assert.Equal(Errno.None, vfs.Rmdir("/", "/config/containers/x"));
            Assert.Equal(Errno.None, vfs.Unmount("/", "/config", null));
            Assert.Equal(Errno.None, vfs.Mount("/", "/config", fs));
            Assert.Equal(Errno.None, vfs.Resolve("/", "/config/containers/description", out Inode _, out string _));
        }
    }
}
