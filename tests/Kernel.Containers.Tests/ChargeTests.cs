// Charging through the real Kernel.Mm paths: anonymous faults, copy-on-write, page-cache pages
// and their mappings, exits; charges staying where they were made across addtask/rmtask; the
// over-limit event; and memcheck catching broken counters.
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Mm.Tests;
using Xunit;

namespace Kernel.Containers.Tests
{
    public unsafe class ChargeTests
    {
        [Fact]
        public void Anonymous_faults_charge_the_faulting_tasks_container_exactly_and_exit_uncharges()
        {
            using var w = new ContainerWorld();
            w.Table.Create("a", out Container a);
            FakeTask t = w.Spawn();
            w.Table.AddTask(a, t.Pid.ToString());
            for (int i = 0; i < 40; i++) Assert.Equal(FaultResult.Handled, w.Touch(t, i, write: i % 2 == 0));
            Assert.Equal(40, a.AnonPages);
            Assert.Equal(40, a.PageUsage);
            Assert.Equal(40, a.MaxPageUsage);
            Assert.Equal(0, w.Table.Root.PageUsage);
            w.AssertMemcheckOk();
            w.Exit(t);
            Assert.Equal(0, a.PageUsage);
            Assert.Equal(40, a.MaxPageUsage);
            Assert.Equal(Errno.None, w.Table.Attributes.Store(a, "max_page_usage", "0\n"));
            Assert.Equal(0, a.MaxPageUsage);
            Assert.Equal(Errno.EINVAL, w.Table.Attributes.Store(a, "max_page_usage", "3"));
            Assert.Equal(w.Vm.FreeAtStart, w.Vm.Buddy.FreeFrames);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void A_fault_that_fails_after_its_charge_counts_no_hit_and_no_peak()
        {
            using var w = new ContainerWorld();
            w.Table.Create("a", out Container a);
            FakeTask t = w.Spawn();
            w.Table.AddTask(a, t.Pid.ToString());
            Assert.Equal(Errno.None, w.Table.Attributes.Store(a, "page_limit", "2"));
            for (int i = 0; i < 2; i++) Assert.Equal(FaultResult.Handled, w.Touch(t, i));
            var hog = new System.Collections.Generic.List<uint>();
            while (w.Vm.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint f)) hog.Add(f);
            Assert.Equal(FaultResult.OutOfMemory, w.Touch(t, 2));   // charged, then no frame: cancelled
            Assert.Equal(2, a.PageUsage);
            Assert.Equal(2, a.MaxPageUsage);
            Assert.Equal(0, a.PageLimitHits);
            Assert.Empty(w.Host.Queued);
            foreach (uint f in hog) w.Vm.Buddy.Free(f, 0);
            Assert.Equal(FaultResult.Handled, w.Touch(t, 2));       // now it goes over: one hit
            Assert.Equal(1, a.PageLimitHits);
            Assert.Equal(3, a.MaxPageUsage);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Moving_a_task_moves_no_charge_and_cow_copies_go_to_the_writer()
        {
            using var w = new ContainerWorld();
            w.Table.Create("from", out Container from);
            w.Table.Create("to", out Container to);
            FakeTask t = w.Spawn();
            for (int i = 0; i < 10; i++) w.Touch(t, i);           // root pays
            w.Table.AddTask(from, t.Pid.ToString());
            for (int i = 10; i < 30; i++) w.Touch(t, i);          // from pays
            Assert.Equal(10, w.Table.Root.AnonPages);
            Assert.Equal(20, from.AnonPages);
            w.Table.RemoveTask(from, t.Pid.ToString());
            w.Table.AddTask(to, t.Pid.ToString());
            Assert.Equal(20, from.AnonPages);
            Assert.Equal(0, to.AnonPages);
            FakeTask child = w.Spawn(t, forkMm: true);             // joins to; shares 30 pages
            Assert.Same(to, child.Container);
            Assert.Equal(0, to.AnonPages);
            w.Touch(child, 15);                                   // a copy: to pays for it
            w.Touch(child, 100);                                  // a new page: to
            Assert.Equal(2, to.AnonPages);
            Assert.Equal(20, from.AnonPages);
            w.AssertMemcheckOk();
            w.Exit(t);
            // The child still maps 29 of the old pages; the old copy of page 15 went with t.
            Assert.Equal(10, w.Table.Root.AnonPages);
            Assert.Equal(19, from.AnonPages);
            w.Exit(child);
            Assert.Equal(0, w.Table.Root.PageUsage + from.PageUsage + to.PageUsage);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Page_cache_pages_charge_the_container_that_brought_the_file_in()
        {
            using var w = new ContainerWorld();
            w.Table.Create("writer", out Container writer);
            w.Table.Create("mapper", out Container mapper);
            PageCache cache = PageCache.Create(w.Mm);
            for (int i = 0; i < 5; i++) Assert.True(cache.TryGetOrCreate((ulong)i, writer, out uint _));
            cache.Size = 5 * 4096;
            Assert.True(cache.TryGetOrCreate(5, mapper, out uint _));   // already decided: writer pays
            cache.Size = 6 * 4096;
            Assert.Equal(6, writer.FilePages);
            Assert.Equal(1, writer.NumFiles);
            Assert.Equal(0, mapper.NumFiles);
            FakeTask t = w.Spawn();
            w.Table.AddTask(mapper, t.Pid.ToString());
            Assert.Equal(Errno.None, t.Mm.MapFile(0x1000_0000, 6, Protection.Read, cache.Id, 0));
            for (int i = 0; i < 6; i++)
                Assert.Equal(FaultResult.Handled, Kernel.Mm.Tests.Cpu.Access(w.Vm, t.Mm, 0x1000_0000 + ((ulong)i << 12), FaultAccess.Read, out byte* _));
            Assert.Equal(6, writer.MappedPages);
            Assert.Equal(0, mapper.PageUsage);
            w.AssertMemcheckOk();
            cache.Release();                  // deleted while mapped: still charged until unmapped
            Assert.Equal(0, writer.NumFiles);
            Assert.Equal(6, writer.FilePages);
            w.AssertMemcheckOk();
            w.Exit(t);
            Assert.Equal(0, writer.FilePages);
            Assert.Equal(0, writer.MappedPages);
            Assert.Equal(w.Vm.FreeAtStart, w.Vm.Buddy.FreeFrames);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Rmdir_hands_files_and_pages_to_the_root()
        {
            using var w = new ContainerWorld();
            w.Table.Create("gone", out Container gone);
            PageCache cache = PageCache.Create(w.Mm);
            Assert.True(cache.TryGetOrCreate(0, gone, out uint _));
            FakeTask t = w.Spawn();
            w.Table.AddTask(gone, t.Pid.ToString());
            w.Touch(t, 0);
            w.Table.RemoveTask(gone, t.Pid.ToString());
            w.Mm.Lru.Activate(cache.Find(0));
            Assert.Equal(Errno.None, w.Table.Remove("gone"));
            Assert.Null(cache.Container);
            Assert.Equal(1, w.Table.Root.NumFiles);
            Assert.Equal(1, w.Table.Root.FilePages);
            Assert.Equal(1, w.Table.Root.AnonPages);
            Assert.Equal(1u, w.Mm.Lru.ActiveCount(0));   // still active, now in the root's lists
            Assert.True(cache.TryGetOrCreate(1, null, out uint _));
            Assert.Equal(2, w.Table.Root.FilePages);
            w.AssertMemcheckOk();
            w.Exit(t);
            cache.Release();
            Assert.Equal(0, w.Table.Root.PageUsage);
            Assert.Equal(0, w.Table.Root.NumFiles);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Going_over_the_limit_counts_hits_and_queues_the_work_once_until_it_runs()
        {
            using var w = new ContainerWorld();
            w.Table.Create("lim", out Container lim);
            Assert.Equal(Errno.None, w.Table.Attributes.Store(lim, "page_limit", "5\n"));
            FakeTask t = w.Spawn();
            w.Table.AddTask(lim, t.Pid.ToString());
            for (int i = 0; i < 8; i++) Assert.Equal(FaultResult.Handled, w.Touch(t, i));
            Assert.Equal(8, lim.PageUsage);           // no refusal in this issue
            Assert.Equal(3, lim.PageLimitHits);
            Assert.Equal(new[] { lim }, w.Host.Queued);
            Assert.True(lim.OverLimitPending);
            w.Table.RunOverLimit(lim);
            Assert.False(lim.OverLimitPending);
            Assert.Equal(1, lim.OverLimitRuns);
            w.Touch(t, 8);
            Assert.Equal(2, w.Host.Queued.Count);
            w.Table.RunOverLimit(lim);
            Assert.Equal(Errno.None, w.Table.Attributes.Store(lim, "page_limit", "100"));
            Assert.Equal(4, lim.PageLimitHits);
            Assert.Equal(Errno.None, w.Table.Attributes.Store(lim, "page_limit", "2"));   // below usage
            Assert.Equal(5, lim.PageLimitHits);
            Assert.Equal(3, w.Host.Queued.Count);
            Assert.Equal(Errno.ERANGE, w.Table.Attributes.Store(lim, "page_limit", "2147483648"));
            Assert.Equal(2, lim.PageLimit);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Memcheck_reports_a_corrupted_counter_and_a_stray_charge()
        {
            using var w = new ContainerWorld();
            w.Table.Create("c", out Container c);
            FakeTask t = w.Spawn();
            w.Table.AddTask(c, t.Pid.ToString());
            w.Touch(t, 0);
            w.AssertMemcheckOk();
            c.AnonPages++;
            string[] problems = MemCheck.Run(w.Mm, w.Table);
            Assert.Contains("memcheck: container c: num_anon_pages 2, frames 1", problems);
            Assert.Single(problems);
            c.AnonPages--;
            uint pfn = Pte.Pfn(t.Mm.Table.Lookup(ContainerWorld.Base));
            w.Vm.Pages[pfn].ContainerId = 9;   // names no container
            problems = MemCheck.Run(w.Mm, w.Table);
            Assert.Contains(problems, p => p.Contains("charged to container id 9, which does not exist"));
            w.Vm.Pages[pfn].ContainerId = c.Id;
            w.Host.Tasks[t.Pid].Container = null;   // the task no longer points back
            Assert.Contains(MemCheck.Run(w.Mm, w.Table), p => p.Contains("task " + t.Pid + " is listed but not in it"));
        }
    }
}
