// The container state machine: names, the 512 limit, ids, addtask/rmtask errors in order,
// fork's EAGAIN, exit, rmdir with and without tasks, and freeing while the charge move runs.
using System.Linq;
using Kernel.Abi;
using Kernel.Containers;
using Xunit;

namespace Kernel.Containers.Tests
{
    public class TableTests
    {
        [Theory]
        [InlineData("a")]
        [InlineData("A-z_0.9")]
        [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]   // 64
        public void Good_names_create_containers_reading_zero(string name)
        {
            using var w = new ContainerWorld();
            Assert.Equal(Errno.None, w.Table.Create(name, out Container c));
            Assert.Equal(name, c.Name);
            Assert.Same(c, w.Table.Find(name));
            Assert.Equal(0, c.PageUsage + c.AnonPages + c.FilePages + c.MappedPages + c.NumFiles + c.NumTasks + c.PageLimitHits + c.TaskLimitHits);
            Assert.Equal(100_000, c.PageLimit);
            Assert.Equal(100, c.TaskLimit);
            Assert.Equal(Errno.EEXIST, w.Table.Create(name, out Container _));
        }

        [Theory]
        [InlineData("")]
        [InlineData("a b")]
        [InlineData("a/b")]
        [InlineData("a*")]
        [InlineData("é")]
        [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]   // 65
        [InlineData(null)]
        public void Bad_names_are_einval(string name)
        {
            using var w = new ContainerWorld();
            Assert.Equal(Errno.EINVAL, w.Table.Create(name, out Container c));
            Assert.Null(c);
            Assert.Equal(0, w.Table.Count);
        }

        [Fact]
        public void Five_hundred_twelve_then_enospc_and_ids_are_the_lowest_free()
        {
            using var w = new ContainerWorld();
            for (int i = 1; i <= 512; i++)
            {
                Assert.Equal(Errno.None, w.Table.Create("c" + i, out Container c));
                Assert.Equal(i, c.Id);
            }
            Assert.Equal(Errno.ENOSPC, w.Table.Create("more", out Container _));
            Assert.Equal(Errno.None, w.Table.Remove("c7"));
            Assert.Equal(Errno.None, w.Table.Remove("c3"));
            Assert.Equal(Errno.None, w.Table.Create("x", out Container x));
            Assert.Equal(3, x.Id);
            Assert.Equal(Errno.None, w.Table.Create("y", out Container y));
            Assert.Equal(7, y.Id);
            Assert.Equal(512, Enumerable.Range(0, w.Table.Count).Select(i => w.Table.At(i).Id).Distinct().Count());
            Assert.Equal("x", w.Table.At(510).Name);   // creation order
            Assert.Equal(Errno.ENOENT, w.Table.Remove("c7"));
        }

        [Fact]
        public void Addtask_checks_in_order_and_rmtask_too()
        {
            using var w = new ContainerWorld();
            w.Table.Create("a", out Container a);
            w.Table.Create("b", out Container b);
            FakeTask t = w.Spawn();
            FakeTask k = w.KernelThread();
            Assert.Equal(Errno.EINVAL, w.Table.AddTask(a, "x"));
            Assert.Equal(Errno.ESRCH, w.Table.AddTask(a, "999"));
            Assert.Equal(Errno.EPERM, w.Table.AddTask(a, k.Pid.ToString()));
            Assert.Equal(Errno.None, w.Table.AddTask(a, t.Pid + "\n"));
            Assert.Same(a, t.Container);
            Assert.Same(a, t.Mm.Container);
            Assert.Equal(Errno.EBUSY, w.Table.AddTask(a, t.Pid.ToString()));
            Assert.Equal(Errno.EBUSY, w.Table.AddTask(b, t.Pid.ToString()));
            Assert.Equal(Errno.EINVAL, w.Table.RemoveTask(b, t.Pid.ToString()));
            Assert.Equal(Errno.ESRCH, w.Table.RemoveTask(b, "999"));
            Assert.Equal(Errno.EINVAL, w.Table.RemoveTask(b, "-1"));
            Assert.Equal(1, a.NumTasks);
            Assert.Equal(Errno.None, w.Table.RemoveTask(a, t.Pid.ToString()));
            Assert.Null(t.Container);
            Assert.Null(t.Mm.Container);
            // At task_limit: ENOSPC and a hit, nothing changes.
            b.TaskLimit = 0;
            Assert.Equal(Errno.ENOSPC, w.Table.AddTask(b, t.Pid.ToString()));
            Assert.Equal(1, b.TaskLimitHits);
            Assert.Null(t.Container);
            Assert.Equal(0, b.NumTasks);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Fork_inherits_stops_at_task_limit_and_exit_detaches()
        {
            using var w = new ContainerWorld();
            w.Table.Create("f", out Container f);
            f.TaskLimit = 3;
            FakeTask parent = w.Spawn();
            Assert.Equal(Errno.None, w.Table.AddTask(f, parent.Pid.ToString()));
            FakeTask c1 = w.Spawn(parent, forkMm: true);
            FakeTask c2 = w.Spawn(c1);
            Assert.Same(f, c1.Container);
            Assert.Same(f, c2.Mm.Container);
            Assert.Null(w.Spawn(parent));
            Assert.Equal(1, f.TaskLimitHits);
            Assert.Equal(3, f.NumTasks);
            Assert.Equal(new[] { parent.Pid, c1.Pid, c2.Pid }, Enumerable.Range(0, f.NumTasks).Select(f.TaskAt).ToArray());
            w.Exit(c1);
            Assert.Equal(2, f.NumTasks);
            Assert.NotNull(w.Spawn(parent));
            Assert.Equal(Errno.None, w.Table.CanFork(null));
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Rmdir_is_ebusy_with_tasks_and_freeing_shows_while_charges_move()
        {
            using var w = new ContainerWorld(2048);
            w.Table.Create("r", out Container r);
            FakeTask t = w.Spawn();
            w.Table.AddTask(r, t.Pid.ToString());
            for (int i = 0; i < 256; i++) Assert.Equal(Kernel.Mm.FaultResult.Handled, w.Touch(t, i));
            Assert.Equal(Errno.EBUSY, w.Table.Remove("r"));
            w.Table.RemoveTask(r, t.Pid.ToString());
            var seen = new System.Collections.Generic.List<string>();
            w.Host.OnReschedule = () =>
            {
                w.Table.Attributes.Show(r, "freeing", out string text);
                seen.Add(text);
                Assert.Equal(Errno.ENOENT, w.Table.AddTask(r, t.Pid.ToString()));
                Assert.Equal(Errno.ENOENT, w.Table.Remove("r"));
                Assert.Equal(Errno.EEXIST, w.Table.Create("r", out Container _));
                w.AssertMemcheckOk();   // consistent at every window
            };
            Assert.Equal(Errno.None, w.Table.Remove("r"));
            Assert.Equal(new[] { "1\n" }, seen);   // 256 frames: one batch boundary
            Assert.Null(w.Table.Find("r"));
            Assert.Equal(256, w.Table.Root.AnonPages);
            Assert.Equal(0, r.PageUsage);
            w.AssertMemcheckOk();
            w.Exit(t);
            Assert.Equal(0, w.Table.Root.PageUsage);
            w.AssertMemcheckOk();
        }
    }
}
