// What a kernel bug or an unusual caller must not be able to do to the accounting: charges aimed
// at a removed (or being removed) container through a stale pointer go to the root and are
// counted as bugs; rmdir that cannot move a charge says so; addtask/rmtask/stores on the files of
// a removed container that are still open; a table over an MmContext with too few LRU groups;
// EEXIST for names that exist in configfs; max_page_usage refusing every value but 0.
using System.Text;
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Mm.Tests;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Containers.Tests
{
    public unsafe class RobustnessTests
    {
        private sealed class NoTask : TaskContext
        {
            public override MemoryContainer CurrentContainer => null;
        }

        [Fact]
        public void A_stale_mm_pointer_to_a_removed_container_charges_the_root_and_counts_a_bug()
        {
            using var w = new ContainerWorld();
            w.Table.Create("a", out Container a);
            FakeTask t = w.Spawn();
            w.Table.AddTask(a, t.Pid.ToString());
            w.Touch(t, 0);
            // A kernel that forgets to clear the pointers: the table no longer lists the task.
            w.Table.Detach(a, t.Pid);
            Assert.Equal(Errno.None, w.Table.Remove("a"));
            Assert.Same(a, t.Mm.Container);
            Assert.Equal(FaultResult.Handled, w.Touch(t, 1));
            Assert.Equal(2, w.Table.Root.AnonPages);   // the old page (moved) and the new one
            Assert.Equal(1, w.Table.Charger.Bugs);
            // Its id goes to the next container; the stale pointer still charges nobody but the root.
            w.Table.Create("b", out Container b);
            Assert.Equal(a.Id, b.Id);
            w.Touch(t, 2);
            Assert.Equal(0, b.PageUsage);
            Assert.Equal(3, w.Table.Root.AnonPages);
            Assert.Equal(2, w.Table.Charger.Bugs);
            string[] problems = MemCheck.Run(w.Mm, w.Table);
            Assert.Equal(new[] { "memcheck: 2 charge events found no live container (Charger.Bugs)" }, problems);
        }

        [Fact]
        public void A_page_cache_brought_in_by_a_stale_container_is_charged_to_the_root()
        {
            using var w = new ContainerWorld();
            w.Table.Create("a", out Container a);
            Assert.Equal(Errno.None, w.Table.Remove("a"));
            PageCache cache = PageCache.Create(w.Mm);
            Assert.True(cache.TryGetOrCreate(0, a, out uint pfn));
            Assert.Null(cache.Container);
            Assert.Equal(0, w.Vm.Pages[pfn].ContainerId);
            Assert.Equal(1, w.Table.Root.NumFiles);
            Assert.Equal(1, w.Table.Root.FilePages);
            Assert.Equal(1, w.Table.Charger.Bugs);
            cache.Release();
            Assert.Equal(0, w.Table.Root.NumFiles + w.Table.Root.PageUsage);
        }

        [Fact]
        public void A_charge_aimed_at_a_container_being_removed_goes_to_the_root()
        {
            using var w = new ContainerWorld(2048);
            w.Table.Create("r", out Container r);
            FakeTask t = w.Spawn();
            FakeTask stale = w.Spawn();
            w.Table.AddTask(r, t.Pid.ToString());
            for (int i = 0; i < 256; i++) w.Touch(t, i);
            w.Table.RemoveTask(r, t.Pid.ToString());
            stale.Mm.Container = r;   // a pointer the kernel forgot
            w.Host.OnReschedule = () =>
            {
                Assert.True(r.Freeing);
                Assert.Equal(FaultResult.Handled, w.Touch(stale, 0));
                // Every counter still agrees with the frames; only the bug is reported.
                Assert.Equal(new[] { "memcheck: 1 charge events found no live container (Charger.Bugs)" },
                    MemCheck.Run(w.Mm, w.Table));
            };
            Assert.Equal(Errno.None, w.Table.Remove("r"));
            Assert.Equal(1, w.Host.Reschedules);
            Assert.Equal(257, w.Table.Root.AnonPages);
            Assert.Equal(0, r.PageUsage);
            Assert.Equal(1, w.Table.Charger.Bugs);
        }

        [Fact]
        public void Rmdir_that_cannot_move_a_charge_reports_it()
        {
            using var w = new ContainerWorld();
            w.Table.Create("lost", out Container lost);
            FakeTask t = w.Spawn();
            w.Table.AddTask(lost, t.Pid.ToString());
            w.Touch(t, 0);
            w.Touch(t, 1);
            w.Table.RemoveTask(lost, t.Pid.ToString());
            uint pfn = Pte.Pfn(t.Mm.Table.Lookup(ContainerWorld.Base));
            Assert.True(w.Mm.Lru.Remove(pfn));   // breaks "every charged frame is on its LRU"
            Assert.Equal(Errno.None, w.Table.Remove("lost"));
            Assert.Equal(1, lost.PageUsage);
            Assert.Equal(1, w.Table.Charger.Bugs);
            string[] problems = MemCheck.Run(w.Mm, w.Table);
            Assert.Contains(problems, p => p.Contains("pfn " + pfn + " (anon) is charged to container id " + lost.Id + ", which does not exist"));
            Assert.Contains("memcheck: 1 charge events found no live container (Charger.Bugs)", problems);
        }

        [Fact]
        public void Rmtask_and_addtask_on_a_container_being_removed_are_enoent()
        {
            using var w = new ContainerWorld(2048);
            w.Table.Create("r", out Container r);
            FakeTask t = w.Spawn();
            w.Table.AddTask(r, t.Pid.ToString());
            for (int i = 0; i < 256; i++) w.Touch(t, i);
            w.Table.RemoveTask(r, t.Pid.ToString());
            w.Host.OnReschedule = () =>
            {
                Assert.Equal(Errno.EINVAL, w.Table.RemoveTask(r, "x"));   // parsing first
                Assert.Equal(Errno.ENOENT, w.Table.RemoveTask(r, t.Pid.ToString()));
                Assert.Equal(Errno.ENOENT, w.Table.RemoveTask(r, "999"));
                Assert.Equal(Errno.ENOENT, w.Table.AddTask(r, "999"));
            };
            Assert.Equal(Errno.None, w.Table.Remove("r"));
            Assert.Equal(1, w.Host.Reschedules);
            Assert.Equal(Errno.ENOENT, w.Table.RemoveTask(r, t.Pid.ToString()));
        }

        [Fact]
        public void Files_of_a_removed_container_still_open_refuse_tasks_and_read_freeing()
        {
            using var w = new ContainerWorld();
            var vfs = new Vfs.Vfs(new RamFs(w.Mm, new NoTask()));
            vfs.Mkdir("/", "/config");
            vfs.Mount("/", "/config", new ConfigFs(w.Table));
            Assert.Equal(Errno.None, vfs.Mkdir("/", "/config/containers/old"));
            Assert.Equal(Errno.None, vfs.Open("/", "/config/containers/old/addtask", OpenFlags.Write, out OpenFile add));
            Assert.Equal(Errno.None, vfs.Open("/", "/config/containers/old/freeing", OpenFlags.Read, out OpenFile freeing));
            Assert.Equal(Errno.None, vfs.Rmdir("/", "/config/containers/old"));
            FakeTask t = w.Spawn();
            byte[] pid = Encoding.ASCII.GetBytes(t.Pid + "\n");
            Assert.Equal(Errno.ENOENT, add.Write(pid, 0, pid.Length, out int written));
            Assert.Equal(0, written);
            Assert.Null(t.Container);
            byte[] buffer = new byte[8];
            Assert.Equal(Errno.None, freeing.Read(buffer, 0, buffer.Length, out int n));
            Assert.Equal("1\n", Encoding.ASCII.GetString(buffer, 0, n));
            // A new container of the same name is a new directory with fresh files.
            Assert.Equal(Errno.None, vfs.Mkdir("/", "/config/containers/old"));
            Assert.Equal(Errno.None, vfs.Open("/", "/config/containers/old/addtask", OpenFlags.Write, out OpenFile add2));
            Assert.Equal(Errno.None, add2.Write(pid, 0, pid.Length, out written));
            Assert.Same(w.Table.Find("old"), t.Container);
            add.Close();
            add2.Close();
            freeing.Close();
        }

        [Fact]
        public void Existing_names_are_eexist_in_every_configfs_directory()
        {
            using var w = new ContainerWorld();
            var vfs = new Vfs.Vfs(new RamFs(w.Mm, new NoTask()));
            vfs.Mkdir("/", "/config");
            vfs.Mount("/", "/config", new ConfigFs(w.Table));
            vfs.Mkdir("/", "/config/containers/x");
            Assert.Equal(Errno.EEXIST, vfs.Mkdir("/", "/config/containers"));
            Assert.Equal(Errno.EEXIST, vfs.Mkdir("/", "/config/containers/x"));
            Assert.Equal(Errno.EEXIST, vfs.Mkdir("/", "/config/containers/x/page_limit"));
            Assert.Equal(Errno.EPERM, vfs.Mkdir("/", "/config/containers/x/y"));
            Assert.Equal(Errno.EPERM, vfs.Mkdir("/", "/config/y"));
            Assert.Equal(1, w.Table.Count);
        }

        [Theory]
        [InlineData("1")]
        [InlineData("2147483648")]
        [InlineData("99999999999999999999")]
        [InlineData("")]
        [InlineData("0\n\n")]
        [InlineData("-0")]
        public void Max_page_usage_takes_only_zero(string text)
        {
            using var w = new ContainerWorld();
            w.Table.Create("m", out Container m);
            FakeTask t = w.Spawn();
            w.Table.AddTask(m, t.Pid.ToString());
            w.Touch(t, 0);
            w.Touch(t, 1);
            t.Mm.Unmap(ContainerWorld.Base, 1);
            Assert.Equal(Errno.EINVAL, w.Table.Attributes.Store(m, "max_page_usage", text));
            Assert.Equal(2, m.MaxPageUsage);
            Assert.Equal(Errno.None, w.Table.Attributes.Store(m, "max_page_usage", "0"));
            Assert.Equal(1, m.MaxPageUsage);
            Assert.Equal(Errno.None, w.Table.Attributes.Show(m, "max_page_usage", out string shown));
            Assert.Equal("1\n", shown);
        }

        [Fact]
        public void A_table_over_fewer_lru_groups_stops_where_the_groups_end()
        {
            using var vm = new Kernel.Mm.Tests.VmWorld(256, lruGroups: 3);
            var table = new ContainerTable(vm.Vm, new FakeHost(), 100);
            Assert.Equal(Errno.None, table.Create("one", out Container one));
            Assert.Equal(Errno.None, table.Create("two", out Container two));
            Assert.Equal(Errno.ENOSPC, table.Create("three", out Container three));
            Assert.Null(three);
            Assert.Equal(2, table.Count);
            Assert.Equal(Errno.None, table.Remove("one"));
            Assert.Equal(Errno.None, table.Create("three", out three));
            Assert.Equal(1, three.Id);
        }
    }
}
