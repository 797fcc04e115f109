// Spawn, exit and reap through the kernel's glue: what a child inherits, that every failure of
// spawn leaves nothing behind, that exit gives back every frame, file and charge, and that the
// stack goes only at the reap.
using Kernel.Abi;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Sched;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Proc.Tests
{
    public class LifecycleTests
    {
        [Fact]
        public void A_forked_child_shares_pages_and_inherits_container_cwd_and_stdout()
        {
            using var w = new ProcWorld();
            Assert.Equal(Errno.None, w.Table.Create("web", out Container web));
            var parent = w.Spawn();
            using (w.Irq.Hold()) Assert.Equal(Errno.None, w.Table.AddTask(web, parent.Pid.ToString()));
            w.Touch(parent, 10);
            parent.Cwd = "/config";
            var child = w.Spawn(parent, MmSource.Fork);
            Assert.Same(web, child.Container);
            Assert.Same(web, child.Mm.Container);
            Assert.Equal("/config", child.Cwd);
            Assert.Equal(10u, child.Mm.ResidentPages);
            Assert.Equal(10, web.AnonPages);            // shared, not copied
            Assert.Equal(2, web.NumTasks);
            w.Touch(child, 1);                           // copy-on-write: the child's copy is web's
            Assert.Equal(11, web.AnonPages);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Spawn_at_the_task_limit_is_eagain_and_takes_nothing()
        {
            using var w = new ProcWorld();
            Assert.Equal(Errno.None, w.Table.Create("tight", out Container tight));
            var parent = w.Spawn();
            using (w.Irq.Hold()) Assert.Equal(Errno.None, w.Table.AddTask(tight, parent.Pid.ToString()));
            tight.TaskLimit = 1;
            uint free = w.Vm.Buddy.FreeFrames;
            int stacks = w.Stacks.InUse.Count, tasks = w.Scheduler.Count;
            Assert.Equal(Errno.EAGAIN, w.Processes.Spawn(parent, "x", TaskKind.User, a => 0, null, MmSource.Fork, out Process none));
            Assert.Null(none);
            Assert.Equal(1, tight.TaskLimitHits);
            Assert.Equal((free, stacks, tasks), (w.Vm.Buddy.FreeFrames, w.Stacks.InUse.Count, w.Scheduler.Count));
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Spawn_without_a_stack_is_enomem_and_gives_the_address_space_back()
        {
            using var w = new ProcWorld();
            Assert.Equal(Errno.None, w.Table.Create("c", out Container c));
            var parent = w.Spawn();
            using (w.Irq.Hold()) Assert.Equal(Errno.None, w.Table.AddTask(c, parent.Pid.ToString()));
            w.Touch(parent, 20);
            uint free = w.Vm.Buddy.FreeFrames;
            int mms = w.Vm.Vm.Registry.Count, tasks = w.Scheduler.Count;
            w.Stacks.Limit = w.Stacks.InUse.Count;
            Assert.Equal(Errno.ENOMEM, w.Processes.Spawn(parent, "x", TaskKind.User, a => 0, null, MmSource.Fork, out Process none));
            Assert.Null(none);
            Assert.Equal((free, mms, tasks), (w.Vm.Buddy.FreeFrames, w.Vm.Vm.Registry.Count, w.Scheduler.Count));
            Assert.Equal(1, c.NumTasks);
            // The parent's pages were write-protected by the fork that was undone; writing them
            // makes them writable again without a copy.
            w.Touch(parent, 20);
            Assert.Equal(20, c.AnonPages);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Spawn_without_frames_for_the_copy_is_enomem_and_takes_nothing()
        {
            using var w = new ProcWorld(frames: 512);
            var parent = w.Spawn();
            w.Touch(parent, 100);
            var hog = new System.Collections.Generic.List<uint>();
            while (w.Vm.Buddy.TryAlloc(0, AllocFlags.Kernel, out uint f)) hog.Add(f);
            int tasks = w.Scheduler.Count, stacks = w.Stacks.InUse.Count;
            Assert.Equal(Errno.ENOMEM, w.Processes.Spawn(parent, "x", TaskKind.User, a => 0, null, MmSource.Fork, out Process _));
            Assert.Equal((tasks, stacks), (w.Scheduler.Count, w.Stacks.InUse.Count));
            Assert.Equal(0u, w.Vm.Buddy.FreeFrames);
            foreach (uint f in hog) w.Vm.Buddy.Free(f, 0);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Exit_gives_back_frames_files_and_charges_and_the_reap_gives_back_the_stack()
        {
            using var w = new ProcWorld();
            uint free = w.Vm.Buddy.FreeFrames;
            int stacks = w.Stacks.InUse.Count;
            Assert.Equal(Errno.None, w.Table.Create("c", out Container c));
            var p = w.Spawn();
            using (w.Irq.Hold()) Assert.Equal(Errno.None, w.Table.AddTask(c, p.Pid.ToString()));
            w.Touch(p, 30);
            // The process holds a file open; the file is removed meanwhile (its pages live on).
            w.RunAs(p);
            Assert.Equal(Errno.None, w.Processes.OpenHeld(w.Files, "/data", OpenFlags.Write | OpenFlags.Create, out OpenFile f));
            Assert.Equal(Errno.None, w.Files.Write(f, new byte[3 * 4096], 0, 3 * 4096, out int _));
            Assert.Equal(Errno.None, w.Files.Unlink("/data"));
            Assert.Equal(3, c.FilePages);
            Assert.Equal(Errno.None, w.Processes.Exit(p, 7));
            Assert.Equal(TaskState.Zombie, p.State);
            Assert.Null(p.Mm);
            Assert.Null(p.Container);
            Assert.Equal(0, c.PageUsage);               // anon and the removed file's pages
            Assert.Equal(0, c.NumTasks);
            Assert.Equal(0, c.NumFiles);
            Assert.Equal(stacks + 1, w.Stacks.InUse.Count);   // the zombie keeps its stack
            Assert.Equal(1, w.ReapAll());
            Assert.Equal(stacks, w.Stacks.InUse.Count);
            Assert.Equal(free, w.Vm.Buddy.FreeFrames);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void A_zombie_parents_children_go_to_pid_1_and_are_reaped_there()
        {
            using var w = new ProcWorld();
            int stacks = w.Stacks.InUse.Count;
            var parent = w.Spawn();
            var child = w.Spawn(parent, MmSource.Fork);
            w.Processes.Exit(child, 0);
            w.Processes.Exit(parent, 0);
            Assert.Same(w.Init, child.Parent);
            Assert.Equal(2, w.ReapAll());
            Assert.Equal(stacks, w.Stacks.InUse.Count);
            w.AssertMemcheckOk();
        }

        [Fact]
        public void Pid_1_never_exits()
        {
            using var w = new ProcWorld();
            Assert.Equal(Errno.EINVAL, w.Processes.Exit(w.Init, 0));
            Assert.NotEqual(TaskState.Zombie, w.Init.State);
        }
    }
}
